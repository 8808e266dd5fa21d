using Npgsql;

using SupportSignal.Data;
using SupportSignal.DemoData;
using SupportSignal.Testing;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.PostgreSqlTests;

/// <summary>
/// A PostgreSQL database of one test class: migrated, seeded with the demo set and the per-role
/// accounts (password <see cref="TestDatabase.Password"/>), dropped at the end. Its connections carry
/// an application name of their own, so a test can find (and kill) exactly this database's sessions.
/// </summary>
public sealed class SeededPostgreSql : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string ApplicationName { get; } = "supportsignal-test-" + Guid.NewGuid().ToString("N")[..8];

    public string ConnectionString { get; private set; } = "";

    public DatabaseSettings Settings => new(DatabaseProvider.PostgreSql, ConnectionString);

    /// <summary>Creates the database once; skips (fails in CI) when no server is reachable.</summary>
    public async Task<SeededPostgreSql> EnsureAsync()
    {
        await PostgreSqlServer.RequireAsync();
        await _gate.WaitAsync();
        try
        {
            if (ConnectionString.Length == 0)
            {
                var created = await PostgreSqlServer.CreateDatabaseAsync("seeded");
                var connectionString = new NpgsqlConnectionStringBuilder(created) { ApplicationName = ApplicationName }.ConnectionString;
                await using var db = new DatabaseSettings(DatabaseProvider.PostgreSql, connectionString).CreateContext();
                await db.MigrateAsync();
                await DemoDataGenerator.SeedAsync(db, DemoSets.Small);
                db.ChangeTracker.Clear();
                await DevelopmentAccounts.EnsureAsync(db, TestDatabase.Password);
                ConnectionString = connectionString;
            }

            return this;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Ends every session of this database that is inside a transaction, the way a server shutdown
    /// (pg_ctl stop -m fast) ends them: the backend is sent SIGTERM and the client reads 57P01.
    /// </summary>
    public async Task<int> TerminateSessionsInTransactionAsync()
    {
        var admin = await PostgreSqlServer.RequireAsync();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity " +
            "WHERE application_name = $1 AND xact_start IS NOT NULL AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue(ApplicationName);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (ConnectionString.Length > 0)
        {
            await PostgreSqlServer.DropDatabaseAsync(ConnectionString);
        }
    }
}

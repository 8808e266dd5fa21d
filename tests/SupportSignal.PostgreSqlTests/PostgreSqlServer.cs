using Npgsql;

namespace SupportSignal.PostgreSqlTests;

/// <summary>
/// The PostgreSQL server the tests run against: SUPPORTSIGNAL_TEST_POSTGRES (set by .ci/run, which
/// starts a throwaway cluster with .ci/postgres), else a server on 127.0.0.1:5432 as postgres. With
/// none reachable a test skips on a developer's machine and fails in CI (CI=true), so CI never
/// passes without having run them.
/// </summary>
public static class PostgreSqlServer
{
    public const string Variable = "SUPPORTSIGNAL_TEST_POSTGRES";

    private static readonly Lazy<Task<(string? ConnectionString, string? Problem)>> _server = new(FindAsync);

    /// <summary>A connection string to the server's maintenance database, or the test skips (fails in CI).</summary>
    public static async Task<string> RequireAsync()
    {
        var (connectionString, problem) = await _server.Value;
        if (connectionString is not null)
        {
            return connectionString;
        }

        var reason = $"No PostgreSQL server reachable ({problem}). Set {Variable} or run .ci/postgres start.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(reason + " CI must run the PostgreSQL tests.");
        }

        Assert.Skip(reason + " PostgreSQL tests skipped.");
        return "";
    }

    /// <summary>Creates an empty database of its own for one fixture and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var server = await RequireAsync();
        var name = $"ss_{purpose}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await RequireAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs one statement as the server's superuser, in the given database.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<(string?, string?)> FindAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        var connectionString = string.IsNullOrWhiteSpace(configured)
            ? "Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres"
            : configured;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5 };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            return (connectionString, null);
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or TimeoutException)
        {
            return (null, e.Message);
        }
    }
}

using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace SupportSignal.Data;

public static class DatabaseMigrator
{
    /// <summary>The table EF Core records applied migrations in (<see cref="DatabaseSettings.Apply"/> names it for every provider).</summary>
    public const string HistoryTable = "__ef_migrations_history";

    private static readonly ConcurrentDictionary<Type, IReadOnlyList<string>> _known = new();

    /// <summary>
    /// Applies the provider's migrations. A SQLite file is switched to WAL so that a long
    /// export's read snapshot never blocks the application's writers.
    /// </summary>
    public static async Task MigrateAsync(this SupportSignalDbContext db, CancellationToken cancellationToken = default)
    {
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>The newest migration applied to the database, or null for an empty one.</summary>
    public static async Task<string?> LatestAppliedMigrationAsync(this SupportSignalDbContext db, CancellationToken cancellationToken = default) =>
        (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault();

    /// <summary>
    /// The migrations of this build for the context's provider, oldest first: what
    /// <c>Database.GetMigrations()</c> answers, read from the assembly's <see cref="MigrationAttribute"/>s
    /// without building EF Core's migrations services (a test compares the two for every provider).
    /// </summary>
    public static IReadOnlyList<string> KnownMigrations(this SupportSignalDbContext db) => KnownMigrations(db.Provider);

    /// <summary>The migrations of this build for <paramref name="provider"/>, oldest first (see the context's overload).</summary>
    public static IReadOnlyList<string> KnownMigrations(DatabaseProvider provider) => _known.GetOrAdd(ContextType(provider), context =>
        typeof(SupportSignalDbContext).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Migration)) && !t.IsAbstract && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == context)
            .Select(t => t.GetCustomAttribute<MigrationAttribute>()!.Id)
            .Order(StringComparer.Ordinal)
            .ToList());

    private static Type ContextType(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => typeof(SqliteSupportSignalDbContext),
        DatabaseProvider.PostgreSql => typeof(PostgreSqlSupportSignalDbContext),
        _ => typeof(SqlServerSupportSignalDbContext),
    };

    /// <summary>
    /// The migrations applied to the database, oldest first, with two plain queries on the context's
    /// connection (in its current transaction, if any): what <c>Database.GetAppliedMigrationsAsync</c>
    /// answers, without EF Core's migrations services, which cost a CLI run more than exporting a small
    /// database. A database with no history table, or none at all, has none applied.
    /// </summary>
    public static Task<IReadOnlyList<string>> AppliedMigrationsAsync(this SupportSignalDbContext db, CancellationToken cancellationToken = default) =>
        AppliedMigrationsAsync(
            db.Database.GetDbConnection(), db.Database.CurrentTransaction?.GetDbTransaction(), db.Provider, cancellationToken);

    /// <summary>
    /// The same, on a plain connection of <paramref name="provider"/> (opened and closed here unless it
    /// is open already), inside <paramref name="transaction"/> when one is given: no EF Core context at all.
    /// </summary>
    public static async Task<IReadOnlyList<string>> AppliedMigrationsAsync(
        DbConnection connection, DbTransaction? transaction, DatabaseProvider provider, CancellationToken cancellationToken = default)
    {
        var opened = connection.State != ConnectionState.Open;
        if (opened && !await TryOpenAsync(connection, provider, cancellationToken))
        {
            return [];
        }

        try
        {
            var (exists, select) = HistorySql(provider);
            await using (var command = Command(connection, transaction, exists))
            {
                if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
                {
                    return [];
                }
            }

            var applied = new List<string>();
            await using (var command = Command(connection, transaction, select))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetString(0));
                }
            }

            applied.Sort(StringComparer.Ordinal);
            return applied;
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }

    private static (string Exists, string Select) HistorySql(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => (
            $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{HistoryTable}'",
            $"SELECT \"MigrationId\" FROM \"{HistoryTable}\""),
        DatabaseProvider.PostgreSql => (
            $"SELECT CASE WHEN to_regclass('\"{HistoryTable}\"') IS NULL THEN 0 ELSE 1 END",
            $"SELECT \"MigrationId\" FROM \"{HistoryTable}\""),
        _ => (
            $"SELECT CASE WHEN OBJECT_ID(N'[{HistoryTable}]') IS NULL THEN 0 ELSE 1 END",
            $"SELECT [MigrationId] FROM [{HistoryTable}]"),
    };

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    // A server database that does not exist yet has no migration applied, as EF Core answers (it is created by migrating).
    // The provider's exception types are named only in their own methods: a SQLite run never loads Npgsql or SqlClient.
    private static async Task<bool> TryOpenAsync(DbConnection connection, DatabaseProvider provider, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (DbException e) when (provider == DatabaseProvider.PostgreSql ? IsMissingPostgreSqlDatabase(e) : provider == DatabaseProvider.SqlServer && IsMissingSqlServerDatabase(e))
        {
            return false;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsMissingPostgreSqlDatabase(DbException e) =>
        e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.InvalidCatalogName };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsMissingSqlServerDatabase(DbException e) =>
        e is Microsoft.Data.SqlClient.SqlException { Number: 4060 or 1832 or 5120 };

    public static bool IsSqliteFileMissing(this DatabaseSettings settings)
    {
        if (settings.Provider != DatabaseProvider.Sqlite)
        {
            return false;
        }

        var dataSource = new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
        return dataSource != ":memory:" && !File.Exists(dataSource);
    }
}

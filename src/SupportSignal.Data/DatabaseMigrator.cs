using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace SupportSignal.Data;

public static class DatabaseMigrator
{
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

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.DemoData;

namespace SupportSignal.Web.Infrastructure;

public static class DatabaseInitializer
{
    public const string InitializeOnStartupKey = "Database:InitializeOnStartup";
    public const string AdminPasswordKey = "Seed:AdminPassword";

    /// <summary>
    /// First run: migrate in every environment; in Development also fill an empty database with
    /// the demo set and ensure the per-role demo accounts. Production gets no data and no
    /// credential. <c>Database:InitializeOnStartup=false</c> skips all of it (tests, or operators
    /// who migrate with the CLI).
    /// </summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        if (!app.Configuration.GetValue(InitializeOnStartupKey, defaultValue: true))
        {
            return;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseInitializer));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SupportSignalDbContext>();

        logger.LogInformation("Applying migrations to {Database}", scope.ServiceProvider.GetRequiredService<DatabaseSettings>().Describe());
        await db.MigrateAsync(cancellationToken);

        if (!app.Environment.IsDevelopment())
        {
            return;
        }

        if (!await db.Incidents.AnyAsync(cancellationToken))
        {
            logger.LogInformation("The database is empty: seeding the demo data set");
            await DemoDataGenerator.SeedAsync(db, new DemoDataOptions(), new TableProgressLogger(logger), cancellationToken);
            db.ChangeTracker.Clear();
        }

        var password = app.Configuration[AdminPasswordKey];
        if (string.IsNullOrWhiteSpace(password))
        {
            throw new InvalidOperationException(
                $"{AdminPasswordKey} must be set in Development to create the demo accounts (see appsettings.Development.json).");
        }

        await DevelopmentAccounts.EnsureAsync(db, password, cancellationToken);
        logger.LogInformation("Ensured {Count} demo accounts, one per role", DevelopmentAccounts.All.Count);
    }

    // One line per finished table: counts only, never row content.
    private sealed class TableProgressLogger(ILogger logger) : IProgress<SeedProgress>
    {
        public void Report(SeedProgress value)
        {
            if (value.RowsWritten >= value.RowsTotal)
            {
                logger.LogInformation("Seeded {Table}: {Rows} rows", value.Table, value.RowsWritten);
            }
        }
    }
}

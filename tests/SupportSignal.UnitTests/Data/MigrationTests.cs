using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

using SupportSignal.Data;

namespace SupportSignal.UnitTests.Data;

public sealed class MigrationTests
{
    [Fact]
    public async Task The_sqlite_migrations_create_every_table_of_the_domain_model_in_a_real_file()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var db = database.NewContext();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());

        var tables = database.Strings("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> '__EFMigrationsLock' ORDER BY name");
        string[] expected =
        [
            "__ef_migrations_history", "ai_prompts", "ai_request_logs", "clarification_answers", "clarification_questions", "companies",
            "data_protection_keys", "debug_logs", "enhanced_narratives", "export_audit", "impersonation_sessions", "incident_analysis",
            "incident_classifications", "incident_narratives", "incidents", "participants", "role_claims", "roles", "sites", "user_claims",
            "user_invitations", "user_logins", "user_roles", "user_tokens", "users", "workflow_handoffs",
        ];
        Assert.Equal(expected, tables);
        Assert.Equal("wal", database.Strings("PRAGMA journal_mode")[0]);

        var incidentIndexes = database.Strings("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents'");
        Assert.Contains("ix_incidents_company_id_event_date_time", incidentIndexes);
        Assert.Contains("ix_incidents_event_date_time", incidentIndexes);
        var foreignKeys = database.Strings("SELECT \"table\" FROM pragma_foreign_key_list('incident_narratives')");
        Assert.Equal(["incidents"], foreignKeys);
    }

    [Theory]
    [MemberData(nameof(ClassificationTests.Providers), MemberType = typeof(ClassificationTests))]
    public void Neither_provider_has_model_changes_missing_from_its_migrations(DatabaseProvider provider)
    {
        using var db = ClassificationTests.ContextFor(provider);
        Assert.False(db.Database.HasPendingModelChanges(), $"{provider}: run dotnet ef migrations add for this provider");
        Assert.NotEmpty(db.Database.GetMigrations());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.SqlServer)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public void The_migrations_read_from_the_assembly_are_those_ef_core_knows_in_its_order(DatabaseProvider provider)
    {
        using var db = ClassificationTests.ContextFor(provider);

        Assert.Equal(db.Database.GetMigrations(), db.KnownMigrations());
    }

    [Fact]
    public async Task The_applied_migrations_read_with_a_plain_query_are_those_ef_core_reads_before_during_and_after_migrating()
    {
        var cancel = TestContext.Current.CancellationToken;
        var path = Path.Combine(Path.GetTempPath(), $"applied-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = TestDatabase.OpenContext(path);
            Assert.Empty(await db.AppliedMigrationsAsync(cancel));

            var migrations = db.KnownMigrations();
            await db.GetService<IMigrator>().MigrateAsync(migrations[1], cancellationToken: cancel);
            Assert.Equal(migrations.Take(2), await db.AppliedMigrationsAsync(cancel));
            Assert.Equal(await db.Database.GetAppliedMigrationsAsync(cancel), await db.AppliedMigrationsAsync(cancel));

            await db.MigrateAsync(cancel);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO __ef_migrations_history VALUES ('29991231000000_FromTheFuture', '99.0.0')", cancel);
            Assert.Equal([.. migrations, "29991231000000_FromTheFuture"], await db.AppliedMigrationsAsync(cancel));
            Assert.Equal(await db.Database.GetAppliedMigrationsAsync(cancel), await db.AppliedMigrationsAsync(cancel));

            // Inside a transaction (the export's snapshot) the query runs in it.
            await using var transaction = await db.Database.BeginTransactionAsync(cancel);
            Assert.Equal("29991231000000_FromTheFuture", (await db.AppliedMigrationsAsync(cancel))[^1]);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*"))
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public void The_sql_server_script_is_idempotent_and_enables_snapshot_isolation_outside_a_transaction()
    {
        using var db = ClassificationTests.ContextFor(DatabaseProvider.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        Assert.Contains("CREATE TABLE [incidents]", script);
        Assert.Contains("[__ef_migrations_history]", script);
        Assert.Contains("ALTER DATABASE CURRENT SET ALLOW_SNAPSHOT_ISOLATION ON;", script);
        Assert.Contains("IF NOT EXISTS", script);
        var snapshot = script.IndexOf("ALLOW_SNAPSHOT_ISOLATION ON", StringComparison.Ordinal);
        var precedingBatch = script.LastIndexOf("GO", snapshot, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN TRANSACTION", script[precedingBatch..snapshot]);
    }
}

using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Npgsql;

using SupportSignal.Cli;
using SupportSignal.Data;
using SupportSignal.Data.Entities;

namespace SupportSignal.PostgreSqlTests;

/// <summary>The supportsignal verbs against a real PostgreSQL server, configured as an operator would.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Migrate_seed_create_admin_counts_and_export_work_against_PostgreSQL()
    {
        var connectionString = await PostgreSqlServer.CreateDatabaseAsync("cli");
        var directory = Directory.CreateTempSubdirectory("supportsignal-pg-cli-").FullName;
        try
        {
            await RunVerbsAsync(directory, connectionString);
        }
        finally
        {
            await PostgreSqlServer.DropDatabaseAsync(connectionString);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_export_of_an_unmigrated_or_missing_PostgreSQL_database_is_refused_naming_the_migration_to_apply()
    {
        var connectionString = await PostgreSqlServer.CreateDatabaseAsync("cli_unmigrated");
        var missing = Cli.With(connectionString, b => b.Database = $"ss_missing_{Guid.NewGuid():N}");
        var directory = Directory.CreateTempSubdirectory("supportsignal-pg-cli-").FullName;
        try
        {
            string first;
            await using (var db = new DatabaseSettings(DatabaseProvider.PostgreSql, connectionString).CreateContext())
            {
                first = db.Database.GetMigrations().First();
            }

            foreach (var database in new[] { connectionString, missing })
            {
                var output = Path.Combine(directory, "refused.json");
                var export = await Cli.RunAsync(Cli.Environment(directory, database), "export", "--quiet", "--output", output);

                Assert.True(export.ExitCode == ExitCodes.Database, export.ToString());
                var builder = new NpgsqlConnectionStringBuilder(database);
                Assert.Equal(
                    $"error: The database PostgreSQL {builder.Host}:{builder.Port}/{builder.Database} is not at the expected schema version: " +
                    $"2 pending migration(s), starting with {first}. Run `supportsignal migrate`.",
                    export.Error.Trim());
                Assert.Empty(Directory.GetFiles(directory));
            }
        }
        finally
        {
            await PostgreSqlServer.DropDatabaseAsync(connectionString);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunVerbsAsync(string directory, string connectionString)
    {
        var environment = Cli.Environment(directory, connectionString);
        var migrate = await Cli.RunAsync(environment, "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains("PostgreSQL", migrate.Out + migrate.Error);

        var seed = await Cli.RunAsync(environment,
            "seed", "--companies", "2", "--sites-per-company", "2", "--users", "6", "--participants", "5", "--incidents", "12");
        Assert.True(seed.ExitCode == 0, seed.ToString());

        var admin = await Cli.RunAsync(Cli.Environment(directory, connectionString, ("SUPPORTSIGNAL_ADMIN_PASSWORD", "Ops-Passw0rd-2026!")),
            "create-admin", "--email", "ops@example.org");
        Assert.True(admin.ExitCode == 0, admin.ToString());

        var counts = await Cli.RunAsync(environment, "counts");
        Assert.True(counts.ExitCode == 0, counts.ToString());
        Assert.Matches(@"incidents\s+12\b", counts.Out);

        var file = Path.Combine(directory, "export.json");
        var export = await Cli.RunAsync(environment, "export", "--quiet", "--output", file);
        Assert.True(export.ExitCode == 0, export.ToString());
        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        var metadata = document.RootElement.GetProperty("metadata");
        Assert.Equal("postgresql", metadata.GetProperty("database").GetProperty("provider").GetString());
        Assert.Equal(12, metadata.GetProperty("recordCounts").GetProperty("incidents").GetInt32());
        var data = document.RootElement.GetProperty("data");
        var incidents = data.GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
        Assert.Equal(12, incidents.Count);
        Assert.Equal(incidents.Order(StringComparer.Ordinal), incidents);
        Assert.Contains(data.GetProperty("users").EnumerateArray(), u => u.GetProperty("email").GetString() == "ops@example.org");
        Assert.DoesNotContain("password_hash", data.GetProperty("users")[0].EnumerateObject().Select(p => p.Name));

        // The CLI's audit row, written with plain commands, read back through EF Core as the history page reads it.
        await using var db = new DatabaseSettings(DatabaseProvider.PostgreSql, connectionString).CreateContext();
        var audit = Assert.Single(db.ExportAudits.AsNoTracking().ToList());
        Assert.Equal((ExportSource.Cli, ExportOutcome.Succeeded, "json", (string?)null, (Guid?)null), (audit.Source, audit.Outcome, audit.Format, audit.ErrorCode, audit.UserId));
        Assert.Equal(new FileInfo(file).Length, audit.Bytes);
        Assert.Equal(metadata.GetProperty("recordCounts").EnumerateObject().Sum(c => c.Value.GetInt64()), audit.TotalRecords);
        Assert.Equal(12, JsonDocument.Parse(audit.RecordCounts!).RootElement.GetProperty("incidents").GetInt64());
        Assert.Equal(DateTimeKind.Utc, audit.StartedAt.Kind);
        Assert.InRange(audit.FinishedAt!.Value - audit.StartedAt, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Assert.InRange(DateTime.UtcNow - audit.StartedAt, TimeSpan.Zero, TimeSpan.FromMinutes(10));
    }
}

/// <summary>What one in-process run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Out}\nstderr: {Error}";
}

/// <summary>Runs the real CLI in-process, pointed at a database through the environment variables an operator sets.</summary>
public static class Cli
{
    public static CliEnvironment Environment(string directory, string connectionString, params (string Name, string Value)[] variables)
    {
        var all = new Dictionary<string, string?>
        {
            ["Database__Provider"] = "PostgreSql",
            ["ConnectionStrings__SupportSignal"] = connectionString,
        };
        foreach (var (name, value) in variables)
        {
            all[name] = value;
        }

        return new CliEnvironment { BaseDirectory = directory, Variables = all };
    }

    public static Task<CliResult> RunAsync(CliEnvironment environment, params string[] args) =>
        RunAsync(environment, new StringWriter(), args);

    public static async Task<CliResult> RunAsync(CliEnvironment environment, StringWriter stderr, params string[] args)
    {
        var stdout = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, environment, TestContext.Current.CancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A connection string for the same database with other settings (a wrong password, a timeout).</summary>
    public static string With(string connectionString, Action<NpgsqlConnectionStringBuilder> change)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        change(builder);
        return builder.ConnectionString;
    }
}

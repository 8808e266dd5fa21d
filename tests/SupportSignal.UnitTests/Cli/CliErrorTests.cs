using Microsoft.Data.Sqlite;

using SupportSignal.Cli;

using Xunit;

namespace SupportSignal.UnitTests.Cli;

/// <summary>Bad arguments exit 2 and an unusable database exits 3, each with a message naming the problem.</summary>
public sealed class CliErrorTests(SeededCliDatabase db) : IClassFixture<SeededCliDatabase>
{
    [Theory]
    [InlineData("Unrecognized command or argument 'frobnicate'", "frobnicate")]
    [InlineData("Unrecognized command or argument '--colour'", "counts", "--colour")]
    [InlineData("'abc' for option '--incidents'", "seed", "--incidents", "abc")]
    [InlineData("'many' for option '--companies'", "seed", "--companies", "many")]
    [InlineData("--format: Unknown format 'xml'. Valid formats: json, json.gz, zip, parquet.", "export", "--format", "xml")]
    [InlineData("--tables: Unknown table 'nonsense'", "export", "--tables", "companies,nonsense")]
    [InlineData("--tables: Table user_tokens holds only secret content", "export", "--tables", "user_tokens")]
    [InlineData("Option '--email' is required", "create-admin")]
    [InlineData("Required command was not provided", new string[0])]
    [InlineData("Database:Provider 'Oracle' is not a known provider", "--provider", "Oracle", "counts")]
    [InlineData("argument 3 contains a NUL character", "export", "--output", "out\0.json")]
    public async Task Bad_arguments_exit_2_naming_the_problem(string message, params string[] args)
    {
        var result = await db.RunAsync(args);

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.Equal("", result.Out);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Bad_export_arguments_create_no_file()
    {
        var directory = db.OutputPath("bad-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);

        var result = await db.RunAsync("export", "--output", directory, "--tables", "nonsense");

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Empty(CliDatabase.FilesIn(directory));
    }

    [Fact]
    public async Task Help_is_not_an_error()
    {
        var result = await db.RunAsync("export", "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("--output", result.Out);
        Assert.Contains("--format", result.Out);
    }

    [Theory]
    [InlineData("counts")]
    [InlineData("seed")]
    [InlineData("export")]
    public async Task A_missing_sqlite_file_exits_3_and_is_not_created(string verb)
    {
        var missing = Path.Combine(db.Directory, "missing-" + Guid.NewGuid().ToString("N"), "none.db");

        var result = await db.RunAsync("--connection", $"Data Source={missing}", verb);

        Assert.Equal(ExitCodes.Database, result.ExitCode);
        Assert.Contains($"SQLite {missing} does not exist", result.Error);
        Assert.Contains("supportsignal migrate", result.Error);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task Migrate_into_a_folder_that_cannot_be_created_exits_3()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "uses /proc, where not even root can create a folder");

        var result = await db.RunAsync("--connection", "Data Source=/proc/supportsignal-test/x.db", "migrate");

        Assert.Equal(ExitCodes.Database, result.ExitCode);
        Assert.Contains("Cannot create the database SQLite /proc/supportsignal-test/x.db", result.Error);
    }

    [Fact]
    public async Task A_database_with_pending_migrations_exits_3()
    {
        var path = Path.Combine(db.Directory, "empty-" + Guid.NewGuid().ToString("N") + ".db");
        Execute(path, "CREATE TABLE placeholder (id INTEGER)");

        var result = await db.RunAsync("--connection", $"Data Source={path}", "counts");

        Assert.Equal(ExitCodes.Database, result.ExitCode);
        Assert.Contains("pending migration", result.Error);
        Assert.Contains("supportsignal migrate", result.Error);
    }

    [Fact]
    public async Task A_database_from_a_newer_version_exits_3()
    {
        var path = Path.Combine(db.Directory, "newer-" + Guid.NewGuid().ToString("N") + ".db");
        Assert.Equal(0, (await db.RunAsync("--connection", $"Data Source={path}", "migrate")).ExitCode);
        Execute(path, "INSERT INTO __ef_migrations_history VALUES ('29991231000000_FromTheFuture', '99.0.0')");

        var result = await db.RunAsync("--connection", $"Data Source={path}", "counts");

        Assert.Equal(ExitCodes.Database, result.ExitCode);
        Assert.Contains("29991231000000_FromTheFuture", result.Error);
    }

    // The database is migrated by this build, then its history is changed: the export must refuse it with
    // exactly the message and exit code the EF Core check gave, before any output is opened.
    [Theory]
    [InlineData("behind")]
    [InlineData("ahead")]
    public async Task An_export_of_a_database_behind_or_ahead_of_this_build_is_refused_with_the_same_message_and_writes_nothing(string state)
    {
        var path = Path.Combine(db.Directory, $"{state}-{Guid.NewGuid():N}.db");
        Assert.Equal(0, (await db.RunAsync("--connection", $"Data Source={path}", "migrate")).ExitCode);
        var latest = Query(path, "SELECT MigrationId FROM __ef_migrations_history ORDER BY MigrationId DESC LIMIT 1");
        Execute(path, state == "behind"
            ? $"DELETE FROM __ef_migrations_history WHERE MigrationId = '{latest}'"
            : "INSERT INTO __ef_migrations_history VALUES ('29991231000000_FromTheFuture', '99.0.0')");
        var output = Path.Combine(db.Directory, $"{state}-{Guid.NewGuid():N}.json");

        var result = await db.RunAsync("--connection", $"Data Source={path}", "export", "--output", output);

        Assert.Equal(ExitCodes.Database, result.ExitCode);
        Assert.Equal(
            state == "behind"
                ? $"error: The database SQLite {path} is not at the expected schema version: 1 pending migration(s), starting with {latest}. Run `supportsignal migrate`."
                : $"error: The database SQLite {path} has migration 29991231000000_FromTheFuture, which this version of supportsignal does not know. Use a newer supportsignal.",
            result.Error.Trim());
        Assert.Empty(Directory.GetFiles(db.Directory, Path.GetFileName(output) + "*"));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_exits_3()
    {
        var path = Path.Combine(db.Directory, "garbage-" + Guid.NewGuid().ToString("N") + ".db");
        File.WriteAllText(path, new string('x', 4096));

        var result = await db.RunAsync("--connection", $"Data Source={path}", "counts");

        Assert.Equal(ExitCodes.Database, result.ExitCode);
        Assert.Contains($"Cannot use the database SQLite {path}", result.Error);
    }

    [Fact]
    public async Task The_environment_selects_the_database_like_the_web_app()
    {
        var missing = Path.Combine(db.Directory, "env-" + Guid.NewGuid().ToString("N") + ".db");
        var environment = db.Environment(("ConnectionStrings__SupportSignal", $"Data Source={missing}"), ("Database__Provider", "Sqlite"));

        var result = await CliDatabase.RunAsync(environment, "counts");

        Assert.Equal(ExitCodes.Database, result.ExitCode);
        Assert.Contains(missing, result.Error);
    }

    [Fact]
    public async Task Appsettings_json_next_to_the_executable_is_read_and_the_environment_overrides_it()
    {
        var baseDirectory = db.OutputPath("base-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(baseDirectory);
        File.WriteAllText(Path.Combine(baseDirectory, "appsettings.json"), """{ "Database": { "Provider": "Oracle" } }""");
        var fromFile = db.Environment() with { BaseDirectory = baseDirectory };
        var overridden = db.Environment(("Database__Provider", "Sqlite")) with { BaseDirectory = baseDirectory };

        var bad = await CliDatabase.RunAsync(fromFile, "counts");
        var good = await CliDatabase.RunAsync(overridden, "counts");

        Assert.Equal(ExitCodes.BadArguments, bad.ExitCode);
        Assert.Contains("'Oracle'", bad.Error);
        Assert.Equal(ExitCodes.Success, good.ExitCode);
    }

    private static string? Query(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    private static void Execute(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

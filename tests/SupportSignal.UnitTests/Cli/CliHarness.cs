using System.Globalization;
using System.Text;

using Microsoft.Data.Sqlite;

using SupportSignal.Cli;

using Xunit;

namespace SupportSignal.UnitTests.Cli;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error, byte[] StandardOutputBytes)
{
    public string All => Out + Error;

    public override string ToString() => $"exit {ExitCode}\nstdout: {Out}\nstderr: {Error}";
}

/// <summary>
/// A temporary directory holding a real SQLite file that the CLI is pointed at through the same
/// environment variable an operator would use, and the in-process runner.
/// </summary>
public class CliDatabase : IAsyncLifetime
{
    // Small but every table has rows: seeding takes well under a second.
    public static readonly string[] SmallSeed = DemoSets.SeedArguments(DemoSets.Tiny);

    public CliDatabase()
    {
        Directory = Path.Combine(Path.GetTempPath(), "supportsignal-cli-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        DatabasePath = Path.Combine(Directory, "test.db");
    }

    public string Directory { get; }

    public string DatabasePath { get; }

    public string ConnectionString => $"Data Source={DatabasePath}";

    public CliEnvironment Environment(params (string Name, string Value)[] variables) => new()
    {
        BaseDirectory = Directory,
        Variables = variables.Aggregate(
            new Dictionary<string, string?> { ["ConnectionStrings__SupportSignal"] = ConnectionString },
            (all, v) =>
            {
                all[v.Name] = v.Value;
                return all;
            }),
        // Stopped, so default file names are predictable.
        Time = TestClock.Create(),
    };

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(Environment(), args);

    public static Task<CliResult> RunAsync(CliEnvironment environment, params string[] args) =>
        RunCancellableAsync(environment, args, new StringWriter(), TestContext.Current.CancellationToken);

    /// <summary>Runs with a chosen stderr writer and token (to cancel mid-command).</summary>
    public static async Task<CliResult> RunCancellableAsync(
        CliEnvironment environment, string[] args, StringWriter stderr, CancellationToken cancellationToken)
    {
        var stdout = new StringWriter();
        var error = stderr;
        var binary = new MemoryStream();
        var code = await CliApp.RunAsync(args, stdout, error, environment with { StandardOutput = environment.StandardOutput ?? (() => binary) },
            cancellationToken);
        return new CliResult(code, stdout.ToString(), error.ToString(), binary.ToArray());
    }

    /// <summary>Row counts straight from SQLite's own catalog, independent of the EF model and the CLI.</summary>
    public Dictionary<string, long> CountRows() =>
        // Skips SQLite's own tables and EF's bookkeeping (__ef_migrations_history, __EFMigrationsLock).
        Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND substr(name, 1, 2) <> '__'")
            .ToDictionary(table => table, table => long.Parse(Query($"SELECT COUNT(*) FROM \"{table}\"")[0], CultureInfo.InvariantCulture));

    /// <summary>The first column of a query's rows, as text.</summary>
    public List<string> Query(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    public string OutputPath(params string[] parts) => Path.Combine([Directory, .. parts]);

    /// <summary>Files in a directory, for "nothing else was left behind" checks.</summary>
    public static string[] FilesIn(string directory) =>
        System.IO.Directory.GetFiles(directory).Select(Path.GetFileName).Order().ToArray()!;

    public virtual async ValueTask InitializeAsync() => await Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind does not make a test wrong.
        }

        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A migrated database with the small demo set, shared by the tests of one class.</summary>
public sealed class SeededCliDatabase : CliDatabase
{
    public override async ValueTask InitializeAsync()
    {
        await Expect(await RunAsync("migrate"));
        await Expect(await RunAsync(SmallSeed));
    }

    private static Task Expect(CliResult result) =>
        result.ExitCode == 0 ? Task.CompletedTask : throw new InvalidOperationException(result.ToString());
}

/// <summary>A TextWriter that calls back the first time a written line is the marker (to act mid-command).</summary>
public sealed class TriggerWriter(Func<string, bool> isMarker, Action onMarker) : StringWriter
{
    private bool _fired;

    public override void Write(string? value)
    {
        base.Write(value);
        Fire(value);
    }

    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        Fire(value);
    }

    private void Fire(string? value)
    {
        if (!_fired && value is not null && isMarker(value))
        {
            _fired = true;
            onMarker();
        }
    }
}

internal static class Utf8
{
    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}

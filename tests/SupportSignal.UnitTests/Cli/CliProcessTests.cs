using System.Diagnostics;
using System.Runtime.InteropServices;

using SupportSignal.Cli;

using Xunit;

namespace SupportSignal.UnitTests.Cli;

/// <summary>The built <c>supportsignal</c> executable as a real process: exit codes, streams, signals.</summary>
public sealed class CliProcessTests(SeededCliDatabase db) : IClassFixture<SeededCliDatabase>
{
    [Fact]
    public async Task Counts_prints_the_table_on_stdout_and_exits_0()
    {
        var result = await RunAsync(db.ConnectionString, "counts");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Matches(@"(?m)^incidents\s+12$", result.Out);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task An_unknown_verb_exits_2_with_the_message_on_stderr()
    {
        var result = await RunAsync(db.ConnectionString, "frobnicate");

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Contains("'frobnicate'", result.Error);
    }

    [Fact]
    public async Task An_unreachable_sql_server_exits_3_without_showing_the_password()
    {
        const string Secret = "Sup3r-Secret-Pw";
        var connection = $"Server=tcp:127.0.0.1,1;Database=Incidents;User Id=sa;Password={Secret};Connect Timeout=2;TrustServerCertificate=true";

        var result = await RunAsync(db.ConnectionString, "--provider", "SqlServer", "--connection", connection, "counts");

        Assert.Equal(ExitCodes.Database, result.ExitCode);
        Assert.Contains("SQL Server tcp:127.0.0.1,1/Incidents", result.Error);
        Assert.DoesNotContain(Secret, result.Out + result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Sigint_mid_export_exits_130_and_leaves_neither_a_partial_file_nor_a_changed_destination()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "sends SIGINT");
        await using var large = new CliDatabase();
        Assert.Equal(0, (await large.RunAsync("migrate")).ExitCode);
        // Large enough that the export streams for a good fraction of a second after the partial file appears.
        Assert.Equal(0, (await large.RunAsync("seed", "--companies", "3", "--users", "10", "--participants", "20", "--incidents", "5000")).ExitCode);
        var path = large.OutputPath("export.zip");

        // On a loaded machine the test may be descheduled until the export has finished; that lost race
        // (exit 0, new file) is retried, so a CLI that ignores SIGINT still fails every attempt.
        for (var attempt = 1; ; attempt++)
        {
            File.WriteAllText(path, "previous export");
            // SIGINT back to its default first: a shell that starts a job in the background (nohup ... &)
            // hands its children SIGINT ignored, and a process that inherits that keeps ignoring it.
            using var process = StartProgram(large.ConnectionString, "/usr/bin/env", "--default-signal=INT", Executable,
                "export", "--format", "zip", "--output", path, "--force");
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(path + ".partial") && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(1, TestContext.Current.CancellationToken);
            }

            var signalled = !process.HasExited && Kill(process.Id, Sigint) == 0;
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            if (attempt < 6 && process.ExitCode == ExitCodes.Success)
            {
                continue;
            }

            Assert.True(signalled, "the export finished before it could be interrupted");
            Assert.Equal(ExitCodes.Cancelled, process.ExitCode);
            Assert.Contains("Cancelled.", await stderr);
            Assert.Equal("previous export", File.ReadAllText(path));
            Assert.False(File.Exists(path + ".partial"));
            return;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)] // two readers spill tables read ahead to the temp folder, under the same file-size limit
    public async Task A_write_that_fails_mid_export_exits_4_deletes_the_partial_file_and_leaves_the_destination_unchanged(int readers)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "uses the shell's file-size limit");
        // A database of its own with an empty WAL: the limit also holds for the WAL the audit rows go to.
        await using var own = new SeededCliDatabase();
        await own.InitializeAsync();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(own.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var directory = own.OutputPath("limited-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "export.json");
        File.WriteAllText(path, "previous export");

        // At most 64 KiB per file, and EFBIG instead of SIGXFSZ: the export's write fails like a full disk.
        // (The runtime's W^X double mapping sizes a memory file, which the limit would refuse, so it is off.)
        var result = await RunProgramAsync(own.ConnectionString, "/bin/sh", "-c",
            $"trap '' XFSZ; ulimit -f 128; DOTNET_EnableWriteXorExecute=0 exec \"$0\" export --parallel {readers} --output '{path}' --force", Executable);

        Assert.True(result.ExitCode == ExitCodes.OutputNotWritable, $"exit {result.ExitCode}: {result.Error}");
        Assert.Contains($"Writing {path} failed", result.Error);
        Assert.Equal("previous export", File.ReadAllText(path));
        Assert.Equal(["export.json"], CliDatabase.FilesIn(directory));
    }

    [Fact]
    public async Task Export_into_a_closed_pipe_fails_with_exit_4_instead_of_reporting_success()
    {
        using var process = Start(db.ConnectionString, "export", "--output", "-");
        // Nobody will read: the first write meets EPIPE.
        process.StandardOutput.Close();
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.OutputNotWritable, process.ExitCode);
        Assert.Contains("Writing standard output failed", stderr);
        Assert.DoesNotContain("Exported", stderr);
    }

    // The export starts without an EF Core context or model (a plain connection, the stored catalog): a
    // regression that brings one back costs every CLI run tens of milliseconds. Any context or model needs
    // EF Core's relational layer and the SQLite provider; a segment still loads them, for its SQL literals,
    // which shows the check can fail. (This build is JIT-compiled, which may load EF Core's base assembly
    // for a signature alone; the published ReadyToRun CLI loads none of it, as strace shows.)
    [Fact]
    public async Task A_full_export_creates_no_EF_Core_context_and_a_segment_creates_one_for_its_literals()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-ef-{Guid.NewGuid():N}.json");
        try
        {
            var full = await RunProgramAsync(db.ConnectionString, Executable, Traced, "export", "--output", path, "--quiet");
            var company = db.Query("SELECT id FROM companies ORDER BY id")[0];
            var segment = await RunProgramAsync(db.ConnectionString, Executable, Traced, "export", "--output", path, "--force", "--quiet", "--company", company);

            Assert.Equal(ExitCodes.Success, full.ExitCode);
            Assert.Equal(ExitCodes.Success, segment.ExitCode);
            var loaded = LoadedAssemblies(full.Error);
            Assert.Contains("Microsoft.Data.Sqlite", loaded);
            string[] contextOnly = ["Microsoft.AspNetCore.Identity.EntityFrameworkCore", "Microsoft.EntityFrameworkCore.Relational", "Microsoft.EntityFrameworkCore.Sqlite"];
            Assert.Empty(loaded.Intersect(contextOnly));
            Assert.DoesNotContain("Npgsql", loaded);
            Assert.DoesNotContain("Microsoft.Data.SqlClient", loaded);
            Assert.Equal(contextOnly, LoadedAssemblies(segment.Error).Intersect(contextOnly).Order(StringComparer.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static readonly Dictionary<string, string> Traced = new() { [SupportSignal.Export.Diagnostics.StartupTrace.Variable] = "1" };

    private static List<string> LoadedAssemblies(string stderr) =>
        stderr.Split('\n').Single(l => l.StartsWith("timing: assemblies loaded: ", StringComparison.Ordinal))["timing: assemblies loaded: ".Length..]
            .Trim().Split(", ").ToList();

    private const int Sigint = 2;

    // kill(2) itself: no helper process between seeing the partial file and interrupting the export.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "supportsignal.exe" : "supportsignal");

    private static Process Start(string connectionString, params string[] args) => StartProgram(connectionString, Executable, args);

    private static Process StartProgram(string connectionString, string program, params string[] args) =>
        StartProgram(connectionString, program, new Dictionary<string, string>(), args);

    private static Process StartProgram(string connectionString, string program, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__SupportSignal"] = connectionString;
        start.Environment.Remove("Database__Provider");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static Task<(int ExitCode, string Out, string Error)> RunAsync(string connectionString, params string[] args) =>
        RunProgramAsync(connectionString, Executable, args);

    private static Task<(int ExitCode, string Out, string Error)> RunProgramAsync(string connectionString, string program, params string[] args) =>
        RunProgramAsync(connectionString, program, new Dictionary<string, string>(), args);

    private static async Task<(int ExitCode, string Out, string Error)> RunProgramAsync(
        string connectionString, string program, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = StartProgram(connectionString, program, environment, args);
        var ct = TestContext.Current.CancellationToken;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout, await stderr);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.DemoData;
using SupportSignal.Export;

// The export benchmark (docs/benchmarks.md). Every approach runs as its own process on the same
// SQLite file, interleaved, so the figures are ratios from one run on one (noisy) machine.
//   prepare --incidents N --db PATH     seed a benchmark database with the demo generator
//   run --db PATH [--db PATH] [--rounds N] [--cli PATH] [--skip-naive]
//   engine [--deidentify] | naive --db PATH --out PATH   one measured export in this process (used by run)
//   prepare --incidents N --pg CONNECTION   seed a PostgreSQL database instead (an empty, existing one)
//   pgrun --pg CONNECTION [--rounds N] [--parallel N]   the engine on PostgreSQL, serial and parallel, vs psql COPY row_to_json
//   mcp --db PATH [--format json|zip ...] [--rounds N] [--queries N] [--cli PATH]   the MCP server (McpBench)
//   parquet --db PATH [--rounds N] [--queries N] [--cli PATH]   Parquet against json and json.gz, and DuckDB over each (ParquetBench)
// As the CLI and the web app do, before SQLite's first connection (SqliteThreading).
SqliteThreading.UseMultiThreadMode();
var command = args.FirstOrDefault() ?? "help";
var options = Options.Parse(args.Skip(1));
return command switch
{
    "prepare" => await Bench.PrepareAsync(options),
    "run" => await Bench.RunAsync(options),
    "pgrun" => await Bench.PostgreSqlRunAsync(options),
    "engine" => await Bench.EngineAsync(options),
    "naive" => await Bench.NaiveAsync(options),
    "mcp" => await McpBench.RunAsync(options, Bench.Cli(options), Bench.OutDirectory()),
    "parquet" => await ParquetBench.RunAsync(options, Bench.Cli(options), Bench.OutDirectory()),
    _ => Bench.Usage(),
};

internal sealed record Options(IReadOnlyDictionary<string, List<string>> Values)
{
    public static Options Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, List<string>>();
        string? key = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                key = arg[2..];
                values.TryAdd(key, []);
            }
            else if (key is not null)
            {
                values[key].Add(arg);
            }
        }

        return new Options(values);
    }

    public string? Get(string key) => Values.TryGetValue(key, out var v) ? v.LastOrDefault() : null;

    public List<string> All(string key) => Values.TryGetValue(key, out var v) ? v : [];

    public bool Has(string key) => Values.ContainsKey(key);

    public int Int(string key, int fallback) => Get(key) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public string Required(string key) => Get(key) ?? throw new ArgumentException($"--{key} is required");
}

internal static class Bench
{
    public static int Usage()
    {
        Console.Error.WriteLine("usage: SupportSignal.Bench prepare --incidents N --db PATH | run --db PATH [--db PATH] [--rounds N] [--cli PATH]");
        return 2;
    }

    private static SupportSignalDbContext Open(string path) =>
        new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={path}").CreateContext();

    private static SupportSignalDbContext OpenPostgreSql(string connectionString) =>
        new DatabaseSettings(DatabaseProvider.PostgreSql, connectionString).CreateContext();

    public static async Task<int> PrepareAsync(Options options)
    {
        var postgres = options.Get("pg");
        var path = postgres ?? options.Required("db");
        var incidents = options.Int("incidents", 200_000);
        if (postgres is null)
        {
            File.Delete(path);
        }

        await using var db = postgres is null ? Open(path) : OpenPostgreSql(postgres);
        await db.MigrateAsync();
        var seed = new DemoDataOptions
        {
            Companies = 10,
            SitesPerCompany = 5,
            Users = 200,
            Participants = Math.Max(120, incidents / 20),
            Incidents = incidents,
            RandomSeed = 20261126,
        };
        var lastReport = Stopwatch.StartNew();
        var progress = new Progress<SeedProgress>(p =>
        {
            if (p.Table == "incidents" && (lastReport.Elapsed > TimeSpan.FromSeconds(5) || p.RowsWritten == p.RowsTotal))
            {
                Console.Error.WriteLine($"  incidents {p.RowsWritten:N0} / {p.RowsTotal:N0}");
                lastReport.Restart();
            }
        });
        var summary = await DemoDataGenerator.SeedAsync(db, seed, progress);
        if (postgres is not null)
        {
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE;");
            Console.WriteLine($"seeded {summary.TotalRows:N0} rows ({incidents:N0} incidents) in {summary.Elapsed.TotalSeconds:F1} s");
            return 0;
        }

        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        Console.WriteLine($"seeded {summary.TotalRows:N0} rows ({incidents:N0} incidents) in {summary.Elapsed.TotalSeconds:F1} s; " +
            $"{new FileInfo(path).Length / 1e6:F0} MB");
        return 0;
    }

    /// <summary>The engine, in this process: the same call the CLI makes, plus allocation figures.</summary>
    public static async Task<int> EngineAsync(Options options)
    {
        await using var db = Open(options.Required("db"));
        var request = new ExportRequest { Deidentify = options.Has("deidentify") };
        // The export call alone, as the web app makes it: no runtime start, host or EF model build around it.
        // The first call also compiles the engine (this host is JIT-compiled, unlike the published CLI); the
        // second is a web server's every later export, and the figure the in-process target is judged by.
        var first = Stopwatch.StartNew();
        await new ExportService(db).ExportAsync(request, Stream.Null);
        first.Stop();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var call = Stopwatch.StartNew();
        await using (var file = new FileStream(options.Required("out"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: false))
        {
            await new ExportService(db).ExportAsync(request, file);
        }

        Report(allocatedBefore, call.Elapsed, first.Elapsed);
        return 0;
    }

    /// <summary>
    /// What the original did: every table into memory with EF Core, then one JsonSerializer
    /// call over the whole object graph into a string, then the file.
    /// </summary>
    public static async Task<int> NaiveAsync(Options options)
    {
        await using var db = Open(options.Required("db"));
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var data = new Dictionary<string, object>();
        var toList = typeof(Bench).GetMethod(nameof(LoadAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            if (table is "user_tokens" or "data_protection_keys" or "debug_logs")
            {
                continue;
            }

            data[table] = await (Task<object>)toList.MakeGenericMethod(entity.ClrType).Invoke(null, [db])!;
        }

        var json = JsonSerializer.Serialize(new { metadata = new { exportedAt = DateTime.UtcNow }, data });
        await File.WriteAllTextAsync(options.Required("out"), json);
        Report(allocatedBefore, null, null);
        return 0;
    }

    private static async Task<object> LoadAsync<T>(SupportSignalDbContext db)
        where T : class => await db.Set<T>().AsNoTracking().ToListAsync();

    private static void Report(long allocatedBefore, TimeSpan? exportCall, TimeSpan? firstCall)
    {
        var process = Process.GetCurrentProcess();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            allocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
            exportSeconds = exportCall?.TotalSeconds,
            firstExportSeconds = firstCall?.TotalSeconds,
            gen0 = GC.CollectionCount(0),
            gen2 = GC.CollectionCount(2),
            peakRssBytes = process.PeakWorkingSet64,
        }));
    }

    public static async Task<int> RunAsync(Options options)
    {
        var databases = options.All("db");
        var rounds = options.Int("rounds", 3);
        var self = Environment.ProcessPath!;
        var selfArgs = self.EndsWith("dotnet", StringComparison.Ordinal) ? [typeof(Bench).Assembly.Location] : Array.Empty<string>();
        var cli = Cli(options);
        var outDirectory = OutDirectory();
        var results = new List<Measurement>();

        foreach (var database in databases)
        {
            await using (var db = Open(database))
            {
                await db.MigrateAsync(); // a set seeded by an older build gets the newer schema
            }

            var label = Path.GetFileNameWithoutExtension(database);
            var sqliteScript = await SqliteScriptAsync(database, outDirectory);
            var approaches = new List<(string Name, string File, string[] Args)>
            {
                ("engine via supportsignal export (default: a reader per core)", cli, ["export", "--connection", $"Data Source={database}", "--output", Path.Combine(outDirectory, "cli-parallel.json"), "--force", "--quiet"]),
                ("engine via export --parallel 1", cli, ["export", "--connection", $"Data Source={database}", "--output", Path.Combine(outDirectory, "cli.json"), "--force", "--quiet", "--parallel", "1"]),
                ("engine in-process (allocations)", self, [.. selfArgs, "engine", "--db", database, "--out", Path.Combine(outDirectory, "engine.json")]),
                ("engine de-identified (in-process)", self, [.. selfArgs, "engine", "--deidentify", "--db", database, "--out", Path.Combine(outDirectory, "deidentified.json")]),
                ("sqlite3 -json", "/bin/sh", ["-c", $"sqlite3 -json '{database}' < '{sqliteScript}' > '{Path.Combine(outDirectory, "sqlite3.json")}'"]),
            };
            if (!options.Has("skip-naive"))
            {
                approaches.Add(("naive EF ToListAsync + Serialize", self, [.. selfArgs, "naive", "--db", database, "--out", Path.Combine(outDirectory, "naive.json")]));
            }

            // Warm the page cache once so the first measured approach is not penalised.
            await Measure.RunAsync("/bin/sh", ["-c", $"cat '{database}' > /dev/null"]);
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var (name, file, arguments) in approaches)
                {
                    if (round > 2 && name.StartsWith("naive", StringComparison.Ordinal))
                    {
                        continue; // the naive approach is slow; two rounds are enough to show its ratio
                    }

                    var outputFile = name switch
                    {
                        _ when name.StartsWith("engine via export --parallel 1", StringComparison.Ordinal) => "cli.json",
                        _ when name.StartsWith("engine via", StringComparison.Ordinal) => "cli-parallel.json",
                        _ when name.StartsWith("engine de-identified", StringComparison.Ordinal) => "deidentified.json",
                        _ when name.StartsWith("engine", StringComparison.Ordinal) => "engine.json",
                        _ when name.StartsWith("sqlite3", StringComparison.Ordinal) => "sqlite3.json",
                        _ => "naive.json",
                    };
                    await Measure.PrepareRunAsync(Path.Combine(outDirectory, outputFile));
                    var m = await Measure.RunAsync(file, arguments);
                    var bytes = new FileInfo(Path.Combine(outDirectory, outputFile)).Length;
                    results.Add(new Measurement(label, name, round, m.Wall, bytes, m.PeakRss, m.Stdout, m.ExitCode));
                    Console.Error.WriteLine($"{label,-6} round {round} {name,-34} {m.Wall.TotalSeconds,7:F2} s {bytes / 1e6,8:F0} MB " +
                        $"{m.PeakRss / 1e6,7:F0} MB RSS exit {m.ExitCode}");
                }
            }
        }

        var report = Summarise(results);
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(outDirectory, "results.md"), report);
        await File.WriteAllTextAsync(Path.Combine(outDirectory, "results.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        return results.All(r => r.ExitCode == 0) ? 0 : 1;
    }

    // sqlite3 dumps the same tables, columns and row order as the engine (secret columns left out).
    private static async Task<string> SqliteScriptAsync(string database, string outDirectory)
    {
        await using var db = Open(database);
        var service = new ExportService(db);
        var selection = service.Select(new ExportRequest());
        var script = new StringBuilder();
        foreach (var table in selection.Included)
        {
            script.Append("SELECT ").AppendJoin(", ", table.ExportedColumns.Select(c => $"\"{c.Name}\""))
                .Append($" FROM \"{table.Name}\" ORDER BY ").AppendJoin(", ", table.PrimaryKey.Select(k => $"\"{k}\"")).AppendLine(";");
        }

        var path = Path.Combine(outDirectory, Path.GetFileNameWithoutExtension(database) + ".sqlite3.sql");
        await File.WriteAllTextAsync(path, script.ToString());
        return path;
    }

    /// <summary>
    /// The engine against PostgreSQL through the CLI, serial and with parallel readers, interleaved with
    /// PostgreSQL's own JSON output of the same tables, columns and order (psql, one COPY per table).
    /// </summary>
    public static async Task<int> PostgreSqlRunAsync(Options options)
    {
        var connectionString = options.Required("pg");
        var rounds = options.Int("rounds", 3);
        var parallel = options.Int("parallel", ExportEngineOptions.DefaultParallelism);
        var cli = options.Get("cli") ?? Path.Combine(RepositoryRoot(), "src", "SupportSignal.Cli", "bin", "Release", "net10.0", "supportsignal");
        var outDirectory = Path.Combine(RepositoryRoot(), "bench", "out");
        Directory.CreateDirectory(outDirectory);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var label = "pg:" + builder.Database;

        var script = new StringBuilder();
        await using (var db = OpenPostgreSql(connectionString))
        {
            foreach (var table in new ExportService(db).Select(new ExportRequest()).Included)
            {
                script.Append("COPY (SELECT row_to_json(t) FROM (SELECT ").AppendJoin(", ", table.ExportedColumns.Select(c => $"\"{c.Name}\""))
                    .Append($" FROM \"{table.Name}\" ORDER BY ").AppendJoin(", ", table.PrimaryKey.Select(k => $"\"{k}\"")).AppendLine(") t) TO STDOUT;");
            }
        }

        var scriptPath = Path.Combine(outDirectory, "postgres.row_to_json.sql");
        await File.WriteAllTextAsync(scriptPath, script.ToString());
        var psql = $"psql -X -q -h '{builder.Host}' -p {builder.Port} -U '{builder.Username}' -d '{builder.Database}' -f '{scriptPath}' > '{Path.Combine(outDirectory, "psql.json")}'";
        string[] Export(int readers, string file) =>
            ["export", "--provider", "PostgreSql", "--connection", connectionString, "--parallel", readers.ToString(CultureInfo.InvariantCulture),
             "--output", Path.Combine(outDirectory, file), "--force", "--quiet"];
        var approaches = new List<(string Name, string File, string[] Args, string Output)>
        {
            ("engine serial (--parallel 1)", cli, Export(1, "pg-serial.json"), "pg-serial.json"),
            ($"engine parallel (--parallel {parallel})", cli, Export(parallel, "pg-parallel.json"), "pg-parallel.json"),
            ("psql COPY row_to_json", "/bin/sh", ["-c", psql], "psql.json"),
        };

        // CPU, which a shared machine disturbs far less than the wall clock: the client's (the process and
        // its children, from getrusage) and the server's (its postmaster and every backend, from /proc).
        var server = await PostgreSqlCpu.PostmasterAsync(connectionString);
        var results = new List<Measurement>();
        var cpu = new List<(string Approach, double Client, double Server)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, file, arguments, output) in approaches)
            {
                await Measure.PrepareRunAsync(Path.Combine(outDirectory, output));
                var (clientBefore, serverBefore) = (PostgreSqlCpu.Children(), PostgreSqlCpu.Server(server));
                var backendsBefore = PostgreSqlCpu.ChildPids(server);
                var m = await Measure.RunAsync(file, arguments);
                await PostgreSqlCpu.WaitForBackendsToExitAsync(server, backendsBefore); // a backend exits after its client does
                var (client, serverCpu) = (PostgreSqlCpu.Children() - clientBefore, PostgreSqlCpu.Server(server) - serverBefore);
                var bytes = new FileInfo(Path.Combine(outDirectory, output)).Length;
                results.Add(new Measurement(label, name, round, m.Wall, bytes, m.PeakRss, m.Stdout, m.ExitCode));
                cpu.Add((name, client, serverCpu));
                Console.Error.WriteLine($"{label} round {round} {name,-34} {m.Wall.TotalSeconds,7:F2} s {bytes / 1e6,8:F0} MB " +
                    $"{m.PeakRss / 1e6,7:F0} MB RSS cpu client {client,5:F2} s server {serverCpu,5:F2} s exit {m.ExitCode}");
            }
        }

        var report = Summarise(results, reference: "psql") + Environment.NewLine +
            "| approach | client CPU (user+sys, median) | server CPU (median) | total |" + Environment.NewLine + "|---|---|---|---|" + Environment.NewLine +
            string.Join(Environment.NewLine, cpu.GroupBy(c => c.Approach).Select(g =>
                $"| {g.Key} | {Median(g.Select(c => c.Client)):F2} s | {Median(g.Select(c => c.Server)):F2} s | {Median(g.Select(c => c.Client + c.Server)):F2} s |")) + Environment.NewLine;
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(outDirectory, "results-postgresql.md"), report);
        return results.All(r => r.ExitCode == 0) ? 0 : 1;
    }

    private static string Summarise(List<Measurement> results, string reference = "sqlite3")
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| dataset | approach | runs | median wall | MB/s | output MB | peak RSS | allocated | vs {reference} | in-process: the export call, warm (first call) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var dataset in results.GroupBy(r => r.Dataset))
        {
            var sqlite = Median(dataset.Where(r => r.Approach.StartsWith(reference, StringComparison.Ordinal)).Select(r => r.Wall.TotalSeconds));
            foreach (var approach in dataset.GroupBy(r => r.Approach))
            {
                var wall = Median(approach.Select(r => r.Wall.TotalSeconds));
                var bytes = approach.First().OutputBytes;
                var rss = approach.Max(r => r.PeakRss);
                var allocated = approach.Select(r => Allocated(r.Stdout)).FirstOrDefault(a => a > 0);
                var call = Median(approach.Select(r => ExportCall(r.Stdout)).Where(c => !double.IsNaN(c)));
                var firstCall = Median(approach.Select(r => ExportCall(r.Stdout, "firstExportSeconds")).Where(c => !double.IsNaN(c)));
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {dataset.Key} | {approach.Key} | {approach.Count()} | {wall:F2} s | {bytes / 1e6 / wall:F0} | " +
                    $"{bytes / 1e6:F0} | {rss / 1e6:F0} MB | {(allocated > 0 ? $"{allocated / 1e6:F0} MB" : "n/a")} | {wall / sqlite:F2}x | " +
                    $"{(double.IsNaN(call) ? "" : $"{call:F2} s, {call / sqlite:F2}x ({firstCall:F2} s, {firstCall / sqlite:F2}x)")} |");
            }
        }

        // The cost of de-identification: the same in-process call with and without it (target: under 2x).
        foreach (var dataset in results.GroupBy(r => r.Dataset))
        {
            // The export calls themselves, each timed inside its process, with the default readers.
            double MedianOf(string prefix) =>
                Median(dataset.Where(r => r.Approach.StartsWith(prefix, StringComparison.Ordinal)).Select(r => ExportCall(r.Stdout)).Where(c => !double.IsNaN(c)));
            var normal = MedianOf("engine in-process");
            var deidentified = MedianOf("engine de-identified");
            if (double.IsNaN(normal) || double.IsNaN(deidentified))
            {
                continue;
            }

            sb.AppendLine(CultureInfo.InvariantCulture,
                $"{dataset.Key}: de-identified {deidentified:F2} s vs normal {normal:F2} s (export calls) = {deidentified / normal:F2}x a normal export");
        }

        return sb.ToString();
    }

    private static double ExportCall(string stdout, string property = "exportSeconds")
    {
        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        return line is not null && JsonDocument.Parse(line).RootElement.TryGetProperty(property, out var seconds) && seconds.ValueKind == JsonValueKind.Number
            ? seconds.GetDouble()
            : double.NaN;
    }

    private static long Allocated(string stdout)
    {
        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        return line is null ? 0 : JsonDocument.Parse(line).RootElement.GetProperty("allocatedBytes").GetInt64();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Cli(Options options) =>
        options.Get("cli") ?? Path.Combine(RepositoryRoot(), "src", "SupportSignal.Cli", "bin", "Release", "net10.0", "supportsignal");

    /// <summary>Where the exports go: bench/out, or BENCH_OUT (a tmpfs keeps the disk's writeback out of the figures).</summary>
    public static string OutDirectory() =>
        Directory.CreateDirectory(Environment.GetEnvironmentVariable("BENCH_OUT") is { Length: > 0 } chosen ? chosen : Path.Combine(RepositoryRoot(), "bench", "out")).FullName;

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SupportSignal.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? Directory.GetCurrentDirectory();
    }
}

/// <summary>CPU seconds (user+sys) of this process's finished children and of a PostgreSQL server on this machine.</summary>
internal static class PostgreSqlCpu
{
    /// <summary>The postmaster's process id: the parent of a backend of ours (the server must run on this machine).</summary>
    public static async Task<int> PostmasterAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await command.ExecuteScalarAsync())!;
        var status = File.ReadAllLines($"/proc/{backend}/status").First(l => l.StartsWith("PPid:", StringComparison.Ordinal));
        return int.Parse(status["PPid:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The postmaster's own and its reaped backends' CPU, plus its live children's.</summary>
    public static double Server(int postmaster) =>
        (Ticks(postmaster, withChildren: true) + ChildPids(postmaster).Sum(child => Ticks(child, withChildren: false))) / 100.0;

    /// <summary>The postmaster's live children: its background processes and the backends of open sessions.</summary>
    public static HashSet<int> ChildPids(int postmaster) =>
        Directory.GetDirectories($"/proc/{postmaster}/task")
            .Select(task => Path.Combine(task, "children"))
            .Where(File.Exists)
            .SelectMany(children => File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(child => int.Parse(child, CultureInfo.InvariantCulture))
            .ToHashSet();

    /// <summary>Waits (at most 10 s) until the backends started since <paramref name="before"/> have exited, so their CPU is counted.</summary>
    public static async Task WaitForBackendsToExitAsync(int postmaster, HashSet<int> before)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (ChildPids(postmaster).Any(child => !before.Contains(child)) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(5);
        }
    }

    // utime, stime, cutime, cstime: fields 14-17 of /proc/PID/stat, in clock ticks (100 a second on Linux).
    private static long Ticks(int pid, bool withChildren)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var sum = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return withChildren ? sum + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture) : sum;
        }
        catch (IOException)
        {
            return 0; // exited meanwhile: its time is in the postmaster's children's now
        }
    }

    /// <summary>getrusage(RUSAGE_CHILDREN): every child this process has waited for (the CLI; the shell and its psql).</summary>
    public static double Children()
    {
        var usage = new long[18];
        if (getrusage(-1, usage) != 0)
        {
            throw new InvalidOperationException("getrusage failed");
        }

        return usage[0] + (usage[1] / 1e6) + usage[2] + (usage[3] / 1e6);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, long[] usage);
}

internal sealed record Measurement(string Dataset, string Approach, int Round, TimeSpan Wall, long OutputBytes, long PeakRss, string Stdout, int ExitCode);

/// <summary>Runs a process, timing it and sampling its peak resident set (VmHWM) until it exits.</summary>
internal static class Measure
{
    /// <summary>
    /// Untimed, before each measured run: the run's output from the round before is deleted, and the earlier
    /// runs' files are written back to disk now, not during this run. On disk every writer slowed round by
    /// round while the kernel caught up (sqlite3 included), and writing over the last round's file cost every
    /// writer its own extra: on ext4 a file renamed over another is written back at once, and the CLI's audit
    /// row then waits for it (docs/benchmarks.md, session 7). An export to a new file, the default, pays neither.
    /// </summary>
    public static Task PrepareRunAsync(string output)
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }
        else
        {
            File.Delete(output);
        }

        return RunAsync("/bin/sh", ["-c", "sync"]);
    }

    public static async Task<(TimeSpan Wall, long PeakRss, string Stdout, int ExitCode)> RunAsync(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, PeakRssOfTree(process.Id));
            await Task.Delay(15);
        }

        await process.WaitForExitAsync();
        var wall = stopwatch.Elapsed;
        var output = await stdout;
        var errors = await stderr;
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine(errors);
        }

        // A .NET child reports its own VmHWM exactly; prefer it to the sampled value.
        var reported = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (reported is not null)
        {
            peak = Math.Max(peak, JsonDocument.Parse(reported).RootElement.GetProperty("peakRssBytes").GetInt64());
        }

        return (wall, peak, output, process.ExitCode);
    }

    // The shell running sqlite3 is a parent; its children's peaks count too.
    private static long PeakRssOfTree(int pid)
    {
        long peak = VmHwm(pid);
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                var childrenFile = Path.Combine(task, "children");
                if (File.Exists(childrenFile))
                {
                    foreach (var child in File.ReadAllText(childrenFile).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        peak = Math.Max(peak, PeakRssOfTree(int.Parse(child, CultureInfo.InvariantCulture)));
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return peak;
    }

    private static long VmHwm(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using ModelContextProtocol.Client;

using SupportSignal.Data;
using SupportSignal.Export;

/// <summary>
/// The MCP server's figures (docs/benchmarks.md, "MCP server"): for each export format, the time
/// from starting <c>supportsignal mcp --export</c> to its first answered tool call, the load rate the
/// server itself reports, and the median latency of a group-by over incidents, measured by the SDK's
/// own client over stdio, as Claude Code would see it.
/// </summary>
internal static class McpBench
{
    public const string GroupBy =
        "SELECT date_trunc('month', event_date_time) AS month, overall_status, count(*) AS incidents " +
        "FROM incidents GROUP BY ALL ORDER BY ALL";

    public static async Task<int> RunAsync(Options options, string cli, string outDirectory)
    {
        var database = options.Required("db");
        var rounds = options.Int("rounds", 3);
        var queries = options.Int("queries", 30);
        var formats = options.All("format") is { Count: > 0 } named ? named : ["json", "zip"];
        var lines = new List<string>
        {
            "| dataset | format | file | start → first answer (median) | load (server's own figure) | of which reading the file | load CPU time | load rate | group-by median (p90) |",
            "|---|---|---|---|---|---|---|---|---|",
        };
        foreach (var format in formats.Select(ExportFormats.Parse))
        {
            var file = Path.Combine(outDirectory, $"mcp-{Path.GetFileNameWithoutExtension(database)}.{format.Extension()}");
            if (!File.Exists(file))
            {
                // Written aside and moved into place, so a failed export never leaves a file a later run would reuse.
                var partial = file + ".partial";
                await using (var db = new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={database}").CreateContext())
                await using (var output = File.Create(partial))
                {
                    await new ExportService(db).ExportAsync(new ExportRequest { Format = format }, output);
                }

                File.Move(partial, file, overwrite: true);
            }

            await Measure.RunAsync("/bin/sh", ["-c", $"cat '{file}' > /dev/null"]);
            var firstAnswers = new List<double>();
            var loads = new List<double>();
            var stages = new List<double>();
            var cpus = new List<double>();
            var latencies = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var (firstAnswer, load, stage, cpu, times) = await RoundAsync(cli, file, queries);
                firstAnswers.Add(firstAnswer);
                loads.Add(load);
                stages.Add(stage);
                cpus.Add(cpu);
                latencies.AddRange(times);
                Console.Error.WriteLine($"mcp {format.Extension(),-7} round {round}: first answer {firstAnswer:F2} s, load {load:F2} s, " +
                    $"group-by median {Percentile(times, 0.5):F1} ms");
            }

            var bytes = new FileInfo(file).Length;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {Path.GetFileNameWithoutExtension(database)} | {format.Extension()} | {bytes / 1e6:F0} MB | {Percentile(firstAnswers, 0.5):F2} s | " +
                $"{Percentile(loads, 0.5):F2} s | {Percentile(stages, 0.5):F2} s | {Percentile(cpus, 0.5):F2} s | {bytes / 1e6 / Percentile(loads, 0.5):F0} MB/s of file | " +
                $"{Percentile(latencies, 0.5):F1} ms ({Percentile(latencies, 0.9):F1} ms) |"));
        }

        var report = string.Join('\n', lines);
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(outDirectory, "mcp-results.md"), report + "\n");
        return 0;
    }

    /// <summary>One server: start, first answer, then the group-by many times; seconds, seconds, milliseconds.</summary>
    private static async Task<(double FirstAnswer, double Load, double Stage, double Cpu, List<double> Latencies)> RoundAsync(string cli, string file, int queries)
    {
        var stderr = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "supportsignal",
            Command = cli,
            Arguments = ["mcp", "--export", file],
            StandardErrorLines = line =>
            {
                lock (stderr)
                {
                    stderr.Add(line);
                }
            },
        }), new McpClientOptions { InitializationTimeout = TimeSpan.FromMinutes(5) });
        var first = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = "SELECT count(*) FROM incidents" });
        var firstAnswer = stopwatch.Elapsed.TotalSeconds;
        if (first.IsError == true)
        {
            throw new InvalidOperationException("the first query failed");
        }

        var latencies = new List<double>();
        for (var i = 0; i < queries; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = GroupBy });
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (result.IsError == true)
            {
                throw new InvalidOperationException("the group-by failed");
            }
        }

        JsonElement loaded;
        lock (stderr)
        {
            loaded = stderr.Select(l => JsonDocument.Parse(l).RootElement)
                .First(e => e.GetProperty("State").TryGetProperty("LoadMs", out _)).GetProperty("State").Clone();
        }

        double Seconds(string name) => loaded.GetProperty(name).GetInt64() / 1000.0;
        return (firstAnswer, Seconds("LoadMs"), Seconds("StageMs"), Seconds("LoadCpuMs"), latencies);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}

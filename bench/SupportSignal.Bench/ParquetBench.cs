using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;

using DuckDB.NET.Data;

/// <summary>
/// The Parquet export against json and json.gz (docs/benchmarks.md, "Parquet"): `supportsignal export`
/// in each format as its own process, interleaved round by round (wall time, output size, peak RSS),
/// then DuckDB answering one group-by over incidents from the Parquet file and from JSON Lines.
///   parquet --db PATH [--rounds N] [--queries N] [--cli PATH]
/// </summary>
internal static class ParquetBench
{
    private const string GroupBy =
        "SELECT company_id, overall_status, count(*) AS incidents, min(event_date_time) AS first_event FROM {0} GROUP BY ALL ORDER BY ALL";

    public static async Task<int> RunAsync(Options options, string cli, string outDirectory)
    {
        var database = options.Required("db");
        var rounds = options.Int("rounds", 3);
        var queries = options.Int("queries", 5);
        var connection = $"Data Source={database}";
        var outputs = new (string Format, string Path)[]
        {
            ("json", Path.Combine(outDirectory, "pq-bench.json")),
            ("json.gz", Path.Combine(outDirectory, "pq-bench.json.gz")),
            ("parquet", Path.Combine(outDirectory, "pq-bench.parquet")),
        };
        var results = new List<(string Format, int Round, TimeSpan Wall, long Bytes, long PeakRss)>();
        await Measure.RunAsync("/bin/sh", ["-c", $"cat '{database}' > /dev/null"]);
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (format, path) in outputs)
            {
                await Measure.PrepareRunAsync(path);
                var m = await Measure.RunAsync(cli, ["export", "--connection", connection, "--format", format, "--output", path, "--force", "--quiet"]);
                if (m.ExitCode != 0)
                {
                    return 1;
                }

                var bytes = Directory.Exists(path)
                    ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)
                    : new FileInfo(path).Length;
                results.Add((format, round, m.Wall, bytes, m.PeakRss));
                Console.Error.WriteLine($"round {round} {format,-8} {m.Wall.TotalSeconds,7:F2} s {bytes / 1e6,8:F1} MB {m.PeakRss / 1e6,6:F0} MB RSS");
            }
        }

        // The incidents as JSON Lines: the zip export's tables/incidents.jsonl.
        var zip = Path.Combine(outDirectory, "pq-bench-incidents.zip");
        await Measure.RunAsync(cli, ["export", "--connection", connection, "--format", "zip", "--tables", "incidents", "--no-closure", "--output", zip, "--force", "--quiet"]);
        var jsonl = Path.Combine(outDirectory, "pq-bench-incidents.jsonl");
        using (var archive = ZipFile.OpenRead(zip))
        {
            archive.GetEntry("tables/incidents.jsonl")!.ExtractToFile(jsonl, overwrite: true);
        }

        var parquet = Path.Combine(outputs[2].Path, "tables", "incidents.parquet");
        var fromParquet = new List<TimeSpan>();
        var fromJsonLines = new List<TimeSpan>();
        string? parquetAnswer = null;
        string? jsonAnswer = null;
        for (var i = 0; i < queries; i++)
        {
            // A fresh connection each time: the time to answer from the file, not from DuckDB's cache.
            (var time, parquetAnswer) = Query(string.Format(CultureInfo.InvariantCulture, GroupBy, $"read_parquet('{parquet}')"));
            fromParquet.Add(time);
            (time, jsonAnswer) = Query(string.Format(CultureInfo.InvariantCulture, GroupBy, $"read_json('{jsonl}', format = 'newline_delimited')"));
            fromJsonLines.Add(time);
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"{Path.GetFileName(database)}: {rounds} rounds, medians");
        report.AppendLine("| format | median wall | vs json | size | vs json | peak RSS (max) |");
        report.AppendLine("|---|---|---|---|---|---|");
        var json = Median(results.Where(r => r.Format == "json").Select(r => r.Wall.TotalSeconds));
        var jsonBytes = results.First(r => r.Format == "json").Bytes;
        foreach (var (format, _) in outputs)
        {
            var mine = results.Where(r => r.Format == format).ToList();
            var wall = Median(mine.Select(r => r.Wall.TotalSeconds));
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {format} | {wall:F2} s | {wall / json:F2}x | {mine[0].Bytes / 1e6:F1} MB | {(double)mine[0].Bytes / jsonBytes:F3} | {mine.Max(r => r.PeakRss) / 1e6:F0} MB |");
        }

        var parquetQuery = Median(fromParquet.Select(t => t.TotalMilliseconds));
        var jsonQuery = Median(fromJsonLines.Select(t => t.TotalMilliseconds));
        report.AppendLine(CultureInfo.InvariantCulture,
            $"DuckDB group-by over incidents ({queries} runs, median): Parquet {parquetQuery:F1} ms, JSON Lines ({new FileInfo(jsonl).Length / 1e6:F0} MB) {jsonQuery:F1} ms: {jsonQuery / parquetQuery:F1}x; same answer: {parquetAnswer == jsonAnswer}");
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(outDirectory, "parquet-results.md"), report.ToString());
        return parquetAnswer == jsonAnswer ? 0 : 1;
    }

    private static (TimeSpan Time, string Answer) Query(string sql)
    {
        var stopwatch = Stopwatch.StartNew();
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using (var zone = duck.CreateCommand())
        {
            zone.CommandText = "SET TimeZone = 'UTC'";
            zone.ExecuteNonQuery();
        }

        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var answer = new StringBuilder();
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.GetValue(i);
                // JSON Lines hold the timestamp as text, Parquet as an instant: compare them as instants.
                answer.Append(value switch
                {
                    DateTime t => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                    DateTimeOffset t => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                    string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t) =>
                        t.ToString("O", CultureInfo.InvariantCulture),
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                }).Append('|');
            }

            answer.Append('\n');
        }

        return (stopwatch.Elapsed, answer.ToString());
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

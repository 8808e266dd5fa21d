using System.IO.Compression;
using System.Text.Json;

using Microsoft.Data.Sqlite;

namespace SupportSignal.TestSupport;

/// <summary>Reads a downloaded export in any of its formats, and counts rows the database's own way.</summary>
public static class ExportFiles
{
    /// <summary>The export's record counts and the rows of every table, from any of the four formats.</summary>
    public static ExportContents Read(byte[] body, string format)
    {
        switch (format)
        {
            case "json.gz":
                using (var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress))
                using (var plain = new MemoryStream())
                {
                    gzip.CopyTo(plain);
                    return Read(plain.ToArray(), "json");
                }

            case "zip":
                using (var zip = new ZipArchive(new MemoryStream(body), ZipArchiveMode.Read))
                {
                    using var metadata = JsonDocument.Parse(zip.GetEntry("metadata.json")!.Open());
                    var rows = zip.Entries.Where(e => e.FullName.StartsWith("tables/", StringComparison.Ordinal)).ToDictionary(
                        e => e.FullName["tables/".Length..^".jsonl".Length],
                        e =>
                        {
                            using var reader = new StreamReader(e.Open());
                            var count = 0L;
                            while (reader.ReadLine() is { } line)
                            {
                                using var _ = JsonDocument.Parse(line);
                                count++;
                            }

                            return count;
                        });
                    return new ExportContents(Counts(metadata.RootElement.GetProperty("metadata")), rows, []);
                }

            case "parquet" or "parquet.zip":
                {
                    var (metadataText, tables) = ParquetFiles.ReadZipAsync(body).GetAwaiter().GetResult();
                    using var metadata = JsonDocument.Parse(metadataText);
                    return new ExportContents(
                        Counts(metadata.RootElement.GetProperty("metadata")),
                        tables.ToDictionary(t => t.Key, t => (long)t.Value.Rows.Count),
                        tables.Values.SelectMany(t => t.Columns.Select(c => c.Name)).ToHashSet());
                }

            default:
                using (var document = JsonDocument.Parse(body))
                {
                    var data = document.RootElement.GetProperty("data");
                    var columns = data.EnumerateObject()
                        .SelectMany(t => t.Value.EnumerateArray().Take(1).SelectMany(r => r.EnumerateObject().Select(p => p.Name)))
                        .ToHashSet();
                    return new ExportContents(
                        Counts(document.RootElement.GetProperty("metadata")),
                        data.EnumerateObject().ToDictionary(t => t.Name, t => (long)t.Value.GetArrayLength()),
                        columns);
                }
        }
    }

    /// <summary>Rows per table counted by the database itself.</summary>
    public static async Task<Dictionary<string, long>> DatabaseCountsAsync(SupportSignalAppFactory app, IEnumerable<string> tables, CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(TestDatabase.ConnectionString(app.DatabasePath));
        await connection.OpenAsync(cancellationToken);
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts[table] = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        return counts;
    }

    private static Dictionary<string, long> Counts(JsonElement metadata) =>
        metadata.GetProperty("recordCounts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
}

/// <summary>What an export file says it holds (<see cref="RecordCounts"/>) and what it actually holds.</summary>
public sealed record ExportContents(
    Dictionary<string, long> RecordCounts, Dictionary<string, long> RowsPerTable, HashSet<string> ColumnNames);

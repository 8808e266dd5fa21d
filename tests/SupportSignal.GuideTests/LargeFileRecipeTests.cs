using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SupportSignal.GuideTests;

/// <summary>Recipes of "Working with large files": streaming, token estimates, splitting by table, date and size.</summary>
public sealed class LargeFileRecipeTests(DemoExport export) : RecipeTests(export)
{
    private string TableFile(string table) => Path.Combine(Export.ExportDirectory, "export", "tables", table + ".jsonl");

    private static List<string> Ids(string jsonlPath) =>
        File.ReadLines(jsonlPath).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").ToString()).ToList();

    [Fact, Recipe("stream-table")]
    public async Task Streaming_one_table_out_of_the_document_gives_the_zips_jsonl_byte_for_byte()
    {
        var result = await RunShellAsync();

        Assert.Equal([Export.Count("incidents").ToString(CultureInfo.InvariantCulture)], result.Lines);
        Assert.Equal(File.ReadAllBytes(TableFile("incidents")), File.ReadAllBytes(Path.Combine(result.Directory, "incidents.jsonl")));
    }

    [Fact, Recipe("estimate-tokens")]
    public async Task The_token_estimate_is_the_file_size_over_four()
    {
        var result = await RunShellAsync();

        var bytes = new FileInfo(Path.Combine(Export.ExportDirectory, "export.json")).Length;
        Assert.True(bytes > 1_000_000, "the demo export is big enough to need the estimate");
        Assert.Equal([$"export.json: {bytes} bytes, about {bytes / 4} tokens"], result.Lines);
    }

    [Fact, Recipe("estimate-tokens-tables")]
    public async Task Per_table_token_estimates_cover_every_table_largest_first()
    {
        var result = await RunShellAsync();

        var expected = Export.ExportedTables
            .Select(t => (Table: t, Tokens: new FileInfo(TableFile(t)).Length / 4))
            .OrderByDescending(e => e.Tokens)
            .ToList();
        var actual = result.Lines.Select(l => l.Split('\t')).Select(p => (Table: p[0], Tokens: long.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(expected.ToHashSet(), actual.ToHashSet());
        Assert.Equal(expected.Select(e => e.Tokens), actual.Select(a => a.Tokens));
    }

    [Fact, Recipe("estimate-tokens-narratives")]
    public async Task The_narrative_estimate_counts_the_four_phases_text_only()
    {
        var result = await RunShellAsync();

        var bytes = Export.Query("SELECT before_event, during_event, end_event, post_event FROM incident_narratives")
            .SelectMany(r => r)
            .Where(text => text.Length > 0)
            .Sum(text => Encoding.UTF8.GetByteCount(text) + 1);
        Assert.Equal([$"narrative text: about {bytes / 4} tokens"], result.Lines);
    }

    [Fact, Recipe("split-by-table")]
    public async Task Splitting_the_document_by_table_gives_every_row_of_every_table()
    {
        var result = await RunShellAsync();

        Assert.Equal([$"{Export.Count("incidents")} tables/incidents.jsonl"], result.Lines);
        var written = Directory.GetFiles(Path.Combine(result.Directory, "tables")).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(Export.ExportedTables.Order(StringComparer.Ordinal), written);
        foreach (var table in Export.ExportedTables)
        {
            var path = Path.Combine(result.Directory, "tables", table + ".jsonl");
            Assert.Equal(Export.Count(table), File.ReadLines(path).LongCount());
            if (table is not ("user_roles" or "user_logins"))
            {
                Assert.Equal(Ids(TableFile(table)), Ids(path));
            }
        }
    }

    [Fact, Recipe("incidents-per-month")]
    public async Task Incidents_per_month_match_the_database()
    {
        var result = await RunShellAsync();

        var expected = Export.Query("SELECT strftime('%Y-%m', event_date_time) AS m, count(*) FROM incidents GROUP BY m ORDER BY m")
            .Select(r => $"{r[1]} {r[0]}");
        Assert.Equal(expected, result.Lines.Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
    }

    [Fact, Recipe("split-by-date")]
    public async Task The_2025_slice_holds_that_years_incidents_with_their_narratives_and_classifications()
    {
        var result = await RunShellAsync();

        const string inYear = "SELECT id FROM incidents WHERE event_date_time >= '2025-01-01' AND event_date_time < '2026-01-01'";
        var expected = new
        {
            incidents = Export.Scalar($"SELECT count(*) FROM ({inYear})"),
            incident_narratives = Export.Scalar($"SELECT count(*) FROM incident_narratives WHERE incident_id IN ({inYear})"),
            incident_classifications = Export.Scalar($"SELECT count(*) FROM incident_classifications WHERE incident_id IN ({inYear})"),
        };
        Assert.True(expected.incidents > 0 && expected.incidents < Export.Count("incidents"));
        var counts = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal(expected.incidents, counts.GetProperty("incidents").GetInt64());
        Assert.Equal(expected.incident_narratives, counts.GetProperty("incident_narratives").GetInt64());
        Assert.Equal(expected.incident_classifications, counts.GetProperty("incident_classifications").GetInt64());

        using var slice = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(result.Directory, "incidents-2025.json")));
        Assert.All(slice.RootElement.GetProperty("incidents").EnumerateArray(), i => Assert.StartsWith("2025-", i.GetProperty("event_date_time").GetString(), StringComparison.Ordinal));
    }

    [Fact, Recipe("chunk-rows")]
    public async Task Chunks_of_fifty_rows_put_back_together_are_the_table()
    {
        var result = await RunShellAsync();

        var rows = Export.Count("incident_narratives");
        var parts = Directory.GetFiles(result.Directory, "narratives-part-*.jsonl").Order(StringComparer.Ordinal).ToList();
        Assert.Equal((int)Math.Ceiling(rows / 50.0), parts.Count);
        Assert.All(parts.SkipLast(1), p => Assert.Equal(50, File.ReadLines(p).Count()));
        Assert.Equal(File.ReadAllBytes(TableFile("incident_narratives")), parts.SelectMany(File.ReadAllBytes).ToArray());
        Assert.EndsWith($"{rows} total", result.Lines[^1].Trim(), StringComparison.Ordinal);
    }
}

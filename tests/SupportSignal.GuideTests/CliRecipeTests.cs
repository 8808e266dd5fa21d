using System.IO.Compression;
using System.Text.Json;

namespace SupportSignal.GuideTests;

/// <summary>The guide's <c>supportsignal export</c> calls, run with the CLI built from this repository.</summary>
public sealed class CliRecipeTests(DemoExport export) : RecipeTests(export)
{
    [Fact, Recipe("cli-export")]
    public async Task The_export_calls_write_a_full_zip_and_a_three_table_json()
    {
        var result = await RunCliAsync();

        var exports = Path.Combine(result.Directory, "exports");
        var zip = Assert.Single(Directory.GetFiles(exports, "supportsignal-db-export-*.zip"));
        Assert.Matches(@"^supportsignal-db-export-\d{4}-\d{2}-\d{2}-\d{4}\.zip$", Path.GetFileName(zip));
        using (var archive = ZipFile.OpenRead(zip))
        {
            Assert.Equal(
                Export.ExportedTables.Select(t => $"tables/{t}.jsonl").Append("metadata.json").Order(StringComparer.Ordinal),
                archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(exports, "incidents.json")));
        var metadata = json.RootElement.GetProperty("metadata");
        Assert.Equal("segmented", metadata.GetProperty("exportType").GetString());
        Assert.Equal("cli", metadata.GetProperty("exportedBy").GetString());
        var counts = metadata.GetProperty("recordCounts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        string[] requested = ["incident_narratives", "incidents", "participants"];
        Assert.All(requested, table => Assert.Equal(Export.Count(table), counts[table]));

        // As the guide says: the rows they reference come along, and are named as such.
        var closure = metadata.GetProperty("segment").GetProperty("closureTables").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Equal(["companies", "sites", "users"], closure.Order(StringComparer.Ordinal));
        Assert.Equal(requested.Concat(closure).Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Export.Scalar("SELECT count(DISTINCT company_id) FROM incidents"), counts["companies"]);
    }

    [Fact, Recipe("cli-pipe")]
    public async Task Piping_an_export_into_jq_counts_classifications_by_severity()
    {
        var result = await RunCliAsync();

        var expected = Export.Query("SELECT severity, count(*) FROM incident_classifications GROUP BY severity ORDER BY severity")
            .Select(r => $"{r[0]}\t{r[1]}");
        Assert.Equal(expected, result.Lines);
        Assert.Equal("", result.Errors);
    }
}

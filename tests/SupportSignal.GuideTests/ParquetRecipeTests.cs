using System.Globalization;
using System.Text.Json;

namespace SupportSignal.GuideTests;

/// <summary>The Parquet recipes of "Working with large files", each checked against the SQLite database itself.</summary>
public sealed class ParquetRecipeTests(DemoExport export) : RecipeTests(export)
{
    [Fact, Recipe("parquet-export")]
    public async Task The_parquet_export_is_a_folder_of_metadata_and_one_file_per_table()
    {
        var result = await RunCliInEmptyFolderAsync();

        Assert.Equal(["metadata.json", "tables", Export.ExportedTables.Count.ToString(CultureInfo.InvariantCulture)], result.Lines);
        var folder = Path.Combine(result.Directory, "export.parquet");
        Assert.Equal(
            Export.ExportedTables.Select(t => t + ".parquet").Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(folder, "tables")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var metadata = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "metadata.json")));
        Assert.Equal("cli", metadata.RootElement.GetProperty("metadata").GetProperty("exportedBy").GetString());
        Assert.False(Directory.Exists(folder + ".partial"));
    }

    [Fact, Recipe("parquet-row-counts")]
    public void Row_counts_from_the_parquet_footers_are_the_databases_largest_first()
    {
        var rows = RunSql();

        Assert.Equal(Export.ExportedTables.Order(StringComparer.Ordinal), rows.Select(r => r[0]).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(Export.Count(r[0]), long.Parse(r[1], CultureInfo.InvariantCulture)));
        var counts = rows.Select(r => long.Parse(r[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(counts.OrderDescending(), counts);
    }

    [Fact, Recipe("parquet-incidents-per-month")]
    public void Incidents_per_month_from_parquet_are_the_databases_utc_months()
    {
        var rows = RunSql();

        var expected = Export.Query("SELECT substr(event_date_time, 1, 7), count(*) FROM incidents GROUP BY 1 ORDER BY 1").Select(r => $"{r[0]}|{r[1]}");
        Assert.Equal(expected, rows.Select(r => $"{r[0]}|{r[1]}"));
        Assert.True(rows.Count > 6, "the demo's incidents span months");
    }

    [Fact, Recipe("parquet-severity-by-company")]
    public void Severity_per_company_joins_three_parquet_files_as_the_database_does()
    {
        var rows = RunSql();

        var expected = Export.Query(
            """
            SELECT c.name, ic.severity, count(*) FROM incident_classifications ic
            JOIN incidents i ON i.id = ic.incident_id JOIN companies c ON c.id = i.company_id
            GROUP BY c.name, ic.severity ORDER BY c.name, ic.severity
            """).Select(r => string.Join('|', r)).ToList();
        Assert.Equal(expected, rows.Select(r => string.Join('|', r)));
        Assert.True(expected.Count >= 6, "several companies and severities");
    }

    [Fact, Recipe("parquet-ai-cost")]
    public void Ai_cost_per_model_sums_the_exact_decimals_of_the_database()
    {
        var rows = RunSql();

        var expected = Export.Query("SELECT model, cost_usd, tokens_used FROM ai_request_logs")
            .GroupBy(r => r[0])
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Model: g.Key, Requests: g.LongCount(),
                Cost: g.Where(r => r[1] is { Length: > 0 }).Sum(r => decimal.Parse(r[1], NumberStyles.Float, CultureInfo.InvariantCulture)),
                Tokens: g.Where(r => r[2] is { Length: > 0 }).Sum(r => long.Parse(r[2], CultureInfo.InvariantCulture))))
            .ToList();
        var actual = rows.Select(r => (Model: r[0], Requests: long.Parse(r[1], CultureInfo.InvariantCulture),
            Cost: decimal.Parse(r[2], NumberStyles.Float, CultureInfo.InvariantCulture), Tokens: long.Parse(r[3], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(expected, actual);
        Assert.True(expected.Sum(e => e.Cost) > 0, "the demo's AI calls cost something");
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace SupportSignal.GuideTests;

/// <summary>Recipes of "The file" and "Choosing an export": reading the metadata, unpacking a zip.</summary>
public sealed class FileRecipeTests(DemoExport export) : RecipeTests(export)
{
    private static readonly string[] _secretColumns =
        ["users.password_hash", "users.security_stamp", "user_invitations.invitation_token", "impersonation_sessions.session_token", "user_logins.provider_key"];

    [Fact, Recipe("record-counts")]
    public async Task Record_counts_are_the_row_counts_of_the_database()
    {
        var result = await RunShellAsync();

        var counts = result.Lines.Select(line => line.Split('\t')).ToDictionary(p => p[0], p => long.Parse(p[1]));
        Assert.Equal(Export.ExportedTables.Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
        Assert.All(counts, c => Assert.Equal(Export.Count(c.Key), c.Value));
    }

    [Fact, Recipe("total-records")]
    public async Task Total_records_from_the_zip_and_the_gzip_match_the_database()
    {
        var result = await RunShellAsync();

        var total = Export.ExportedTables.Sum(Export.Count);
        Assert.Equal([total.ToString(), total.ToString()], result.Lines);
    }

    [Fact, Recipe("relationships")]
    public async Task Relationships_are_the_foreign_keys_of_the_database()
    {
        var result = await RunShellAsync();

        var expected = Export.ExportedTables
            .SelectMany(table => Export.Query($"SELECT \"from\", \"table\", \"to\", id FROM pragma_foreign_key_list('{table}')")
                .GroupBy(r => r[3])
                .Select(fk => $"{table}.{string.Join(",", fk.Select(r => r[0]))} -> {fk.First()[1]}.{string.Join(",", fk.Select(r => r[2]))}"))
            .ToHashSet();
        Assert.Contains("incidents.participant_id -> participants.id", result.Lines);
        Assert.Equal(expected.Order(StringComparer.Ordinal), result.Lines.Order(StringComparer.Ordinal));
    }

    [Fact, Recipe("left-out")]
    public async Task What_is_left_out_is_every_unexported_table_and_the_secret_columns()
    {
        var result = await RunShellAsync();

        var tables = result.Lines.Where(l => l.StartsWith("table  ", StringComparison.Ordinal)).Select(l => l[7..].Split(':')[0]).ToList();
        var allTables = Export.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\'")
            .Select(r => r[0]);
        Assert.Equal(allTables.Except(Export.ExportedTables).Order(StringComparer.Ordinal), tables.Order(StringComparer.Ordinal));

        var columns = result.Lines.Where(l => l.StartsWith("column ", StringComparison.Ordinal)).Select(l => l[7..].Split(':')[0]).ToList();
        Assert.Superset(_secretColumns.ToHashSet(), columns.ToHashSet());
        foreach (var column in columns)
        {
            var (table, name) = (column.Split('.')[0], column.Split('.')[1]);
            Assert.Contains(name, Export.Query($"SELECT name FROM pragma_table_info('{table}')").Select(r => r[0]));
            var rows = File.ReadLines(Path.Combine(Export.ExportDirectory, "export", "tables", table + ".jsonl"));
            Assert.All(rows, row => Assert.False(JsonDocument.Parse(row).RootElement.TryGetProperty(name, out _), $"{column} is in the rows"));
        }
    }

    [Fact, Recipe("sensitive-columns")]
    public async Task Sensitive_columns_are_real_columns_and_include_participants_identifiers()
    {
        var result = await RunShellAsync();

        var columns = result.Lines.Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("personal", columns["participants.first_name"]);
        Assert.Equal("personal", columns["participants.ndis_number"]);
        Assert.Equal("free_text", columns["incident_narratives.before_event"]);
        Assert.All(columns.Values, c => Assert.Contains(c, new[] { "personal", "free_text" }));
        Assert.DoesNotContain(columns.Keys, _secretColumns.Contains);
        foreach (var column in columns.Keys)
        {
            var (table, name) = (column.Split('.')[0], column.Split('.')[1]);
            Assert.Contains(name, Export.Query($"SELECT name FROM pragma_table_info('{table}')").Select(r => r[0]));
        }
    }

    [Fact, Recipe("unzip")]
    public async Task Unzipping_gives_one_jsonl_file_per_exported_table_with_every_row()
    {
        var result = await RunShellAsync();

        Assert.Equal(Export.ExportedTables.Select(t => t + ".jsonl").Order(StringComparer.Ordinal), result.Lines);
        foreach (var table in Export.ExportedTables)
        {
            Assert.Equal(Export.Count(table), File.ReadLines(Path.Combine(result.Directory, "export", "tables", table + ".jsonl")).LongCount());
        }
    }

    [Fact, Recipe("schema-only")]
    public async Task The_schema_only_file_lists_every_table_and_holds_no_personal_data()
    {
        var result = await RunShellAsync();

        Assert.Equal([Export.ExportedTables.Count.ToString()], result.Lines);
        var schema = File.ReadAllText(Path.Combine(result.Directory, "schema-only.json"));
        using var document = JsonDocument.Parse(schema);
        Assert.Equal(
            Export.ExportedTables.Order(StringComparer.Ordinal),
            document.RootElement.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        foreach (var person in Export.Query("SELECT ndis_number, contact_phone, emergency_contact FROM participants"))
        {
            Assert.All(person.Where(v => v.Length > 0), value => Assert.DoesNotContain(value, schema, StringComparison.Ordinal));
        }
    }

    [Fact, Recipe("verify-complete")]
    public async Task A_complete_document_passes_the_check_and_one_with_a_missing_row_does_not()
    {
        Assert.Equal(["checked"], (await RunShellAsync()).Lines);

        var damaged = await RunShellOnDamagedCopyAsync(directory =>
        {
            var path = Path.Combine(directory, "export.json");
            var document = JsonNode.Parse(File.ReadAllBytes(path))!;
            document["data"]!["incidents"]!.AsArray().RemoveAt(0);
            File.WriteAllText(path, document.ToJsonString());
        });
        Assert.Equal(["incomplete: incidents", "checked"], damaged.Lines);
    }

    [Fact, Recipe("verify-complete-zip")]
    public async Task A_complete_unpacked_zip_passes_the_check_and_one_cut_short_does_not()
    {
        Assert.Equal(["checked"], (await RunShellAsync()).Lines);

        var damaged = await RunShellOnDamagedCopyAsync(directory =>
        {
            var path = Path.Combine(directory, "export", "tables", "incident_narratives.jsonl");
            File.WriteAllLines(path, File.ReadLines(path).SkipLast(1).ToList());
            File.Delete(Path.Combine(directory, "export", "tables", "sites.jsonl"));
        });
        Assert.Equal(["incomplete: export/tables/sites.jsonl", "incomplete: export/tables/incident_narratives.jsonl", "checked"], damaged.Lines);
    }

    [Fact, Recipe("segment-summary")]
    public async Task A_segment_summary_shows_its_filters_and_only_that_companys_incidents_of_the_year()
    {
        var result = await RunShellAsync();

        var company = Export.SegmentCompanyId.ToString();
        var expected = Export.Scalar($"""
            SELECT count(*) FROM incidents WHERE lower(company_id) = '{company}'
            AND event_date_time >= '2025-01-01' AND event_date_time < '2026-01-01'
            """);
        var summary = JsonNode.Parse(result.Output)!;
        Assert.Equal("segmented", (string?)summary["exportType"]);
        Assert.Equal([company], summary["filters"]!["companies"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("2025-01-01", (string?)summary["filters"]!["from"]);
        Assert.Equal("2025-12-31", (string?)summary["filters"]!["to"]);
        Assert.True(expected > 0 && expected < Export.Scalar("SELECT count(*) FROM incidents WHERE event_date_time LIKE '2025%'"));
        Assert.Equal(expected, (long)summary["incidents"]!);
        Assert.Equal([company], summary["incidentCompanies"]!.AsArray().Select(c => (string?)c));
        Assert.Empty(summary["closureTables"]!.AsArray()); // a company segment reaches every tenant table through its own keys
        Assert.Contains("ai_prompts", summary["sharedTables"]!.AsArray().Select(t => (string?)t));
    }
}

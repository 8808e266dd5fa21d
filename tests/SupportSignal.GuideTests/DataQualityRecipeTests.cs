using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SupportSignal.GuideTests;

/// <summary>Recipes of "Data quality" and "Relationship mapping".</summary>
public sealed class DataQualityRecipeTests(DemoExport export) : RecipeTests(export)
{
    private static readonly string[] _phases = ["before_event", "during_event", "end_event", "post_event"];

    private static string Row(string[] row) => string.Join('|', row);

    [Fact, Recipe("incomplete-narratives")]
    public void Incomplete_incidents_are_listed_with_their_empty_phases()
    {
        var rows = RunSql();

        var expected = Export.Query("""
            SELECT lower(i.id), i.capture_status, n.before_event, n.during_event, n.end_event, n.post_event
            FROM incidents i LEFT JOIN incident_narratives n ON n.incident_id = i.id
            WHERE i.capture_status <> 'completed'
            """)
            .Select(r => $"{r[0]}|{r[1]}|{string.Join(", ", _phases.Where((_, p) => r[2 + p].Trim().Length == 0))}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Contains(expected, e => !e.EndsWith('|'));
        Assert.Equal(expected, rows.Select(Row).Order(StringComparer.Ordinal));
    }

    [Fact, Recipe("incomplete-narratives-jq")]
    public async Task Incomplete_narratives_file_holds_the_narrative_of_every_incomplete_incident()
    {
        var result = await RunShellAsync();

        var expected = Export.Query("""
            SELECT lower(i.id), i.capture_status, n.during_event FROM incidents i JOIN incident_narratives n ON n.incident_id = i.id
            WHERE i.capture_status <> 'completed' ORDER BY lower(i.id)
            """).Select(Row).ToList();
        Assert.Equal([expected.Count.ToString(CultureInfo.InvariantCulture)], result.Lines);
        var written = File.ReadLines(Path.Combine(result.Directory, "incomplete-narratives.jsonl"))
            .Select(line => JsonNode.Parse(line)!)
            .Select(n => $"{n["incident_id"]}|{n["capture_status"]}|{(string?)n["during_event"]}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, written);
    }

    [Fact, Recipe("unanswered-questions")]
    public void Unanswered_questions_per_phase_match_the_database()
    {
        var rows = RunSql();

        var expected = Export.Query("""
            SELECT q.phase, count(*) FROM clarification_questions q
            WHERE q.is_active AND NOT EXISTS (SELECT 1 FROM clarification_answers a WHERE a.question_id = q.id)
            GROUP BY q.phase ORDER BY q.phase
            """);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(Row), rows.Select(Row));
    }

    [Fact, Recipe("workflow-completion")]
    public void Workflow_completion_matches_the_database()
    {
        var rows = RunSql();

        var expected = Export.Query("""
            SELECT i.overall_status, count(DISTINCT i.id), count(h.id), coalesce(sum(h.handoff_accepted), 0)
            FROM incidents i LEFT JOIN workflow_handoffs h ON h.incident_id = i.id
            GROUP BY i.overall_status ORDER BY i.overall_status
            """);
        Assert.True(expected.Count > 1);
        Assert.Equal(expected.Select(Row), rows.Select(Row));
    }

    [Fact, Recipe("company-summary")]
    public void Company_summary_counts_sites_participants_and_incidents_per_company()
    {
        var rows = RunSql();

        var expected = Export.Query("""
            SELECT c.name,
                   (SELECT count(*) FROM sites s WHERE s.company_id = c.id),
                   (SELECT count(*) FROM participants p WHERE p.company_id = c.id),
                   (SELECT count(*) FROM incidents i WHERE i.company_id = c.id)
            FROM companies c ORDER BY c.name
            """);
        Assert.Equal(DemoExport.Demo.Companies, rows.Count);
        Assert.Equal(expected.Select(Row), rows.Select(Row));
    }

    [Fact, Recipe("orphans")]
    public void Orphans_are_none_in_a_full_export_and_are_found_when_a_reference_is_broken()
    {
        var sql = SqlOf();

        string[] references = ["incident_narratives.incident_id", "incidents.company_id", "incidents.participant_id", "incidents.site_id", "participant in another company"];
        var expected = Export.Query("""
            SELECT (SELECT count(*) FROM incidents WHERE company_id NOT IN (SELECT id FROM companies)),
                   (SELECT count(*) FROM incidents WHERE site_id IS NOT NULL AND site_id NOT IN (SELECT id FROM sites)),
                   (SELECT count(*) FROM incidents WHERE participant_id IS NOT NULL AND participant_id NOT IN (SELECT id FROM participants)),
                   (SELECT count(*) FROM incident_narratives WHERE incident_id NOT IN (SELECT id FROM incidents)),
                   (SELECT count(*) FROM incidents i JOIN participants p ON p.id = i.participant_id WHERE p.company_id <> i.company_id)
            """).Single();
        Assert.All(expected, count => Assert.Equal("0", count));
        Assert.Equal(references.Select(r => r + "|0"), Runners.DuckDb(Export, sql).Select(Row));

        // The same query on a copy whose first incident points at a participant that is not in the export.
        var broken = Export.NewDirectory("orphans");
        Runners.CopyDirectory(Export.ExportDirectory, broken);
        var incidents = Path.Combine(broken, "export", "tables", "incidents.jsonl");
        var lines = File.ReadAllLines(incidents);
        var first = JsonNode.Parse(lines[0])!;
        first["participant_id"] = Guid.NewGuid().ToString();
        lines[0] = first.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
        File.WriteAllLines(incidents, lines);
        Assert.Contains("incidents.participant_id|1", Runners.DuckDb(broken, sql).Select(Row));
    }
}

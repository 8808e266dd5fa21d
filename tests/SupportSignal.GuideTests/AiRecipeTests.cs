using System.Globalization;
using System.Text.Json.Nodes;

namespace SupportSignal.GuideTests;

/// <summary>Recipes of "AI performance" and "Prompt engineering with narrative samples".</summary>
public sealed class AiRecipeTests(DemoExport export) : RecipeTests(export)
{
    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact, Recipe("ai-performance")]
    public void Ai_performance_per_operation_matches_the_request_log()
    {
        var rows = RunSql();

        var logs = Export.Query("SELECT operation, success, processing_time_ms, tokens_used, cost_usd FROM ai_request_logs")
            .GroupBy(r => r[0])
            .Select(g =>
            {
                var times = g.Select(r => Number(r[2])).Order().ToList();
                var position = (times.Count - 1) * 0.95;
                var (low, high) = ((int)Math.Floor(position), (int)Math.Ceiling(position));
                return new
                {
                    Operation = g.Key,
                    Calls = g.Count(),
                    SuccessPct = 100.0 * g.Count(r => r[1] == "1") / g.Count(),
                    AvgMs = times.Average(),
                    P95Ms = times[low] + ((position - low) * (times[high] - times[low])),
                    Tokens = g.Where(r => r[3].Length > 0).Sum(r => long.Parse(r[3], CultureInfo.InvariantCulture)), // failed calls log no tokens
                    Cost = g.Sum(r => decimal.Parse(r[4], CultureInfo.InvariantCulture)),
                };
            })
            .OrderByDescending(o => o.Cost)
            .ToList();

        Assert.Equal(logs.Select(o => o.Operation), rows.Select(r => r[0]));
        foreach (var (expected, row) in logs.Zip(rows))
        {
            Assert.Equal(expected.Calls.ToString(CultureInfo.InvariantCulture), row[1]);
            Assert.Equal(expected.SuccessPct, Number(row[2]), 0.051);
            Assert.Equal(expected.AvgMs, Number(row[3]), 0.51);
            Assert.Equal(expected.P95Ms, Number(row[4]), 0.51);
            Assert.Equal(expected.Tokens.ToString(CultureInfo.InvariantCulture), row[5]);
            Assert.Equal((double)expected.Cost, Number(row[6]), 0.000051);
            Assert.Equal((double)expected.Cost / expected.Calls, Number(row[7]), 0.0000051);
        }

        Assert.Contains(logs, o => o.SuccessPct < 100);
    }

    [Fact, Recipe("narrative-samples")]
    public async Task Narrative_samples_are_the_first_three_medical_incidents_with_their_narratives()
    {
        var result = await RunShellAsync();

        Assert.Equal(["3"], result.Lines);
        var expected = Export.Query("""
            SELECT lower(n.incident_id), n.before_event, n.during_event, n.end_event, n.post_event
            FROM incident_narratives n
            WHERE n.incident_id IN (SELECT incident_id FROM incident_classifications WHERE incident_type = 'medical' ORDER BY lower(id) LIMIT 3)
            ORDER BY lower(n.id)
            """).Select(r => string.Join('|', r));
        var samples = File.ReadLines(Path.Combine(result.Directory, "narrative-samples.jsonl"))
            .Select(line => JsonNode.Parse(line)!)
            .Select(n => string.Join('|', new[] { "incident_id", "before_event", "during_event", "end_event", "post_event" }.Select(k => (string?)n[k] ?? "")));
        Assert.Equal(expected, samples);
    }
}

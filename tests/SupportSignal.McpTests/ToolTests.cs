using System.Text.Json;

using ModelContextProtocol.Client;

using SupportSignal.Export;

namespace SupportSignal.McpTests;

/// <summary>What a model sees through the tools, checked against the SQLite database the export came from.</summary>
public sealed class ToolTests(McpDemo demo, ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private McpServerProcess Server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_server_offers_the_three_tools_with_schemas_and_descriptions_a_model_can_use()
    {
        var tools = await Server.Client.ListToolsAsync(cancellationToken: Ct);

        Assert.Equal(["describe_export", "query", "sample_rows"], tools.Select(t => t.Name).Order());
        Assert.All(tools, t => Assert.True(t.Description.Length > 80, $"{t.Name} has too short a description"));
        var query = tools.Single(t => t.Name == "query").ProtocolTool;
        Assert.Equal(["sql"], query.InputSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.True(query.Annotations?.ReadOnlyHint);
        var sample = tools.Single(t => t.Name == "sample_rows").ProtocolTool.InputSchema.GetProperty("properties");
        Assert.True(sample.TryGetProperty("table", out _) && sample.TryGetProperty("column", out _) && sample.TryGetProperty("value", out _));
    }

    [Fact]
    public async Task The_analysis_guide_prompt_and_resources_carry_the_export_format_and_the_guide_section()
    {
        var prompts = await Server.Client.ListPromptsAsync(cancellationToken: Ct);
        Assert.Contains(prompts, p => p.Name == "analysis_guide");
        var prompt = await Server.Client.GetPromptAsync("analysis_guide", cancellationToken: Ct);
        var text = string.Join("\n", prompt.Messages.Select(m => m.Content).OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(b => b.Text));
        Assert.Contains("# The export format, version 1", text);
        Assert.Contains("## Claude Code with the MCP server", text);

        var resources = await Server.Client.ListResourcesAsync(cancellationToken: Ct);
        Assert.Equal(2, resources.Count);
        foreach (var resource in resources)
        {
            var read = await Server.Client.ReadResourceAsync(resource.Uri, cancellationToken: Ct);
            var body = Assert.IsType<ModelContextProtocol.Protocol.TextResourceContents>(Assert.Single(read.Contents)).Text;
            Assert.True(body.Length > 1000, $"{resource.Uri} is nearly empty");
        }
    }

    [Fact]
    public async Task Describe_export_lists_every_table_with_its_row_count_columns_classification_and_keys()
    {
        var result = await Server.CallAsync("describe_export");
        var d = McpServerProcess.Structured(result);
        var tables = d.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);

        Assert.False(d.GetProperty("deidentified").GetBoolean());
        Assert.Equal("full", d.GetProperty("exportType").GetString());
        Assert.Equal(22, tables.Count);
        Assert.DoesNotContain("user_tokens", tables.Keys);
        foreach (var (name, table) in tables)
        {
            Assert.Equal(demo.RecordCount(name), table.GetProperty("rowCount").GetInt64());
        }

        var participants = tables["participants"].GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("personal", participants["first_name"].GetProperty("classification").GetString());
        Assert.Equal("free_text", participants["care_notes"].GetProperty("classification").GetString());
        Assert.Equal("UUID", participants["id"].GetProperty("type").GetString());
        Assert.Equal("TIMESTAMP", participants["created_at"].GetProperty("type").GetString());
        Assert.DoesNotContain("password_hash", tables["users"].GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Contains(tables["incidents"].GetProperty("foreignKeys").EnumerateArray(),
            k => k.GetProperty("referencedTable").GetString() == "participants");

        var text = McpServerProcess.Text(result);
        Assert.Contains("De-identified: NO", text);
        Assert.Contains($"incidents: {demo.RecordCount("incidents"):N0} rows", text);
        Assert.Contains("participant_id UUID → participants.id", text);
    }

    [Fact]
    public async Task Counting_incidents_gives_the_exports_recordCounts()
    {
        var rows = McpServerProcess.Rows(await Server.QueryAsync("SELECT count(*) AS n FROM incidents"));

        Assert.Equal(demo.RecordCount("incidents").ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(rows)[0]);
        Assert.Equal(demo.Query("SELECT count(*) FROM incidents").Single()[0], rows[0][0]);
    }

    [Fact]
    public async Task A_join_of_incidents_and_participants_matches_the_database()
    {
        const string Sql = "SELECT p.id, count(*) AS incidents FROM incidents i JOIN participants p ON p.id = i.participant_id " +
            "GROUP BY p.id ORDER BY incidents DESC, p.id";

        var rows = McpServerProcess.Rows(await Server.QueryAsync(Sql));

        var expected = demo.Query("SELECT lower(p.id), count(*) FROM incidents i JOIN participants p ON p.id = i.participant_id " +
            "GROUP BY p.id ORDER BY 2 DESC, lower(p.id)");
        Assert.True(expected.Count > 5);
        Assert.Equal(expected.Select(r => $"{r[0]}={r[1]}"), rows.Select(r => $"{r[0]}={r[1]}"));
    }

    [Fact]
    public async Task Typed_columns_allow_date_arithmetic_and_booleans_without_casts()
    {
        var rows = McpServerProcess.Rows(await Server.QueryAsync(
            "SELECT year(event_date_time) AS y, count(*) FILTER (WHERE narrative_enhanced) AS enhanced, count(*) AS n FROM incidents GROUP BY y ORDER BY y"));

        var expected = demo.Query("SELECT substr(event_date_time, 1, 4), sum(narrative_enhanced), count(*) FROM incidents GROUP BY 1 ORDER BY 1");
        Assert.Equal(expected.Select(r => string.Join(",", r)), rows.Select(r => string.Join(",", r)));
    }

    [Fact]
    public async Task The_row_cap_cuts_a_long_answer_and_says_how_many_rows_there_were()
    {
        var result = await Server.QueryAsync("SELECT * FROM range(1000) t(n)");
        var s = McpServerProcess.Structured(result);

        Assert.Equal(200, McpServerProcess.Rows(result).Count);
        Assert.Equal(1000, s.GetProperty("totalRows").GetInt64());
        Assert.Equal("row_cap", s.GetProperty("truncatedBy").GetString());
        Assert.Contains("TRUNCATED: showing the first 200 of 1,000 rows", McpServerProcess.Text(result));

        var limited = await Server.QueryAsync("SELECT id FROM incidents ORDER BY id", limit: 25);
        Assert.Equal(25, McpServerProcess.Rows(limited).Count);
        Assert.Contains($"of {demo.RecordCount("incidents"):N0} rows", McpServerProcess.Text(limited));
    }

    [Fact]
    public async Task The_byte_budget_cuts_long_text_and_says_so()
    {
        var result = await Server.QueryAsync("SELECT * FROM incident_narratives ORDER BY id");
        var s = McpServerProcess.Structured(result);
        var text = McpServerProcess.Text(result);

        Assert.Equal("byte_budget", s.GetProperty("truncatedBy").GetString());
        Assert.Equal(demo.RecordCount("incident_narratives"), s.GetProperty("totalRows").GetInt64());
        var shown = s.GetProperty("rowsReturned").GetInt32();
        Assert.InRange(shown, 1, 199);
        Assert.Contains($"TRUNCATED: showing the first {shown:N0} of {demo.RecordCount("incident_narratives"):N0} rows; the answer reached its 64 KB budget", text);
        var table = text[..text.LastIndexOf("TRUNCATED", StringComparison.Ordinal)];
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(table), 32 * 1024, 64 * 1024);
    }

    [Fact]
    public async Task Sample_rows_shows_a_few_rows_in_key_order_and_filters_by_a_column_value()
    {
        var first = demo.Query("SELECT lower(id) FROM incidents ORDER BY id LIMIT 3").Select(r => r[0]).ToList();
        var rows = McpServerProcess.Rows(await Server.CallAsync("sample_rows", new() { ["table"] = "incidents", ["count"] = 3 }));
        Assert.Equal(first, rows.Select(r => r[0]));

        var participant = demo.Query("SELECT lower(participant_id), count(*) FROM incidents WHERE participant_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1").Single();
        var filtered = await Server.CallAsync("sample_rows", new()
        {
            ["table"] = "incidents",
            ["count"] = 50,
            ["column"] = "participant_id",
            ["value"] = participant[0],
        });
        Assert.Equal(int.Parse(participant[1]!, System.Globalization.CultureInfo.InvariantCulture), McpServerProcess.Rows(filtered).Count);
    }

    [Fact]
    public async Task Unknown_tables_columns_and_bad_sql_are_tool_errors_and_the_server_keeps_answering()
    {
        var table = await Server.CallAsync("sample_rows", new() { ["table"] = "incident" });
        Assert.True(table.IsError);
        Assert.Contains("Unknown table 'incident'. Tables: ", McpServerProcess.Text(table));
        Assert.Contains("incidents", McpServerProcess.Text(table));

        var column = await Server.CallAsync("sample_rows", new() { ["table"] = "incidents", ["column"] = "severity", ["value"] = "high" });
        Assert.True(column.IsError);
        Assert.Contains("Table incidents has no column 'severity'", McpServerProcess.Text(column));

        var missing = await Server.QueryAsync("SELECT * FROM incident");
        Assert.True(missing.IsError);
        Assert.Contains("Table with name incident does not exist", McpServerProcess.Text(missing));

        var syntax = await Server.QueryAsync("SELEC 1");
        Assert.True(syntax.IsError);
        Assert.Contains("syntax error", McpServerProcess.Text(syntax));

        Assert.Equal("1", McpServerProcess.Rows(await Server.QueryAsync("SELECT 1"))[0][0]);
    }

    [Fact]
    public async Task Each_tool_call_is_one_json_line_on_stderr_without_sql_literals_or_row_values()
    {
        const string Literal = "zz-literal-7341";
        var lastName = demo.Query("SELECT last_name FROM participants ORDER BY id LIMIT 1").Single()[0]!;
        await Server.QueryAsync($"SELECT count(*) FROM participants WHERE last_name <> '{Literal}'");
        await Server.CallAsync("sample_rows", new() { ["table"] = "participants", ["count"] = 1 });
        await Server.QueryAsync($"SELECT * FROM nowhere WHERE x = '{Literal}'");

        var lines = await Server.WaitForStandardErrorAsync(l => l.Contains("\"Outcome\":\"refused: Catalog Error\"", StringComparison.Ordinal));
        var calls = lines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("State").TryGetProperty("Tool", out _))
            .Select(e => e.GetProperty("State"))
            .ToList();
        Assert.Contains(calls, c => c.GetProperty("Tool").GetString() == "sample_rows" && c.GetProperty("Rows").GetInt32() == 1
            && c.GetProperty("Truncated").GetBoolean() == false && c.GetProperty("DurationMs").GetInt64() >= 0);
        Assert.Contains(calls, c => c.GetProperty("Tool").GetString() == "query" && c.GetProperty("Outcome").GetString() == "refused: Catalog Error");
        Assert.All(lines, l => Assert.DoesNotContain(Literal, l));
        Assert.All(lines, l => Assert.DoesNotContain(lastName, l));
    }
}

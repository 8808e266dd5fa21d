using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

using SupportSignal.Export;

namespace SupportSignal.McpTests;

/// <summary>
/// <c>--live</c>: a fresh audited export of the configured database, de-identified unless
/// <c>--identified</c> is both asked for and allowed by the tool's own configuration.
/// </summary>
public sealed partial class LiveSnapshotTests(McpDemo demo)
{
    [Fact]
    public async Task A_live_snapshot_is_de_identified_and_no_text_column_holds_a_seeded_name_email_phone_or_ndis_number()
    {
        var database = await demo.CopyDatabaseAsync();
        await using var server = await McpServerProcess.StartAsync(["--live"], Connection(database));
        var described = McpServerProcess.Structured(await server.CallAsync("describe_export"));
        Assert.True(described.GetProperty("deidentified").GetBoolean());
        Assert.Equal(demo.RecordCount("incidents"),
            described.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "incidents").GetProperty("rowCount").GetInt64());

        var needles = PersonalValues();
        Assert.True(needles.Count > 100, $"only {needles.Count} personal values were seeded");
        var leaks = await ScanAsync(server, described, needles);
        Assert.True(leaks.Count == 0, "personal details reached the snapshot: " + string.Join("; ", leaks));

        // The export behind it was audited like any CLI export: one succeeded, de-identified row.
        var audit = demo.Query("SELECT outcome, deidentified, source FROM export_audit", database);
        Assert.Equal("succeeded,1,cli", string.Join(",", Assert.Single(audit)).ToLowerInvariant());
    }

    [Fact]
    public async Task The_same_scan_over_an_identified_export_finds_the_seeded_details()
    {
        await using var server = await McpServerProcess.StartAsync(["--export", demo.ExportPath(ExportFormat.Zip)]);
        var described = McpServerProcess.Structured(await server.CallAsync("describe_export"));
        Assert.False(described.GetProperty("deidentified").GetBoolean());

        var leaks = await ScanAsync(server, described, PersonalValues());

        Assert.Contains(leaks, l => l.StartsWith("participants.", StringComparison.Ordinal));
        Assert.Contains(leaks, l => l.StartsWith("incident_narratives.", StringComparison.Ordinal));
        Assert.Contains(server.StandardError, l => l.Contains("NOT de-identified", StringComparison.Ordinal) && l.Contains("\"Warning\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Identified_live_snapshot_is_refused_without_the_setting_and_warns()
    {
        var database = await demo.CopyDatabaseAsync();

        var (exitCode, stdout, stderr) = await McpServerProcess.RunToExitAsync(["--live", "--identified"], Connection(database));

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("--identified is refused", stderr);
        Assert.Contains("Mcp:AllowIdentified=true", stderr);
        Assert.Contains("\"LogLevel\":\"Warning\"", stderr);
        Assert.Empty(demo.Query("SELECT id FROM export_audit", database));
    }

    [Fact]
    public async Task Identified_live_snapshot_is_served_when_the_tools_configuration_allows_it()
    {
        var database = await demo.CopyDatabaseAsync();
        var environment = Connection(database);
        environment["Mcp__AllowIdentified"] = "true";
        await using var server = await McpServerProcess.StartAsync(["--live", "--identified"], environment);

        var described = McpServerProcess.Structured(await server.CallAsync("describe_export"));
        var name = demo.Query("SELECT last_name FROM participants ORDER BY id LIMIT 1").Single()[0];
        var rows = McpServerProcess.Rows(await server.QueryAsync("SELECT last_name FROM participants ORDER BY id LIMIT 1"));

        Assert.False(described.GetProperty("deidentified").GetBoolean());
        Assert.Equal(name, rows[0][0]);
        Assert.Contains(await server.WaitForStandardErrorAsync(l => l.Contains("is allowed", StringComparison.Ordinal)), l => l.Contains("is allowed", StringComparison.Ordinal) && l.Contains("\"Warning\"", StringComparison.Ordinal));
        Assert.Equal("succeeded,0", string.Join(",", Assert.Single(demo.Query("SELECT outcome, deidentified FROM export_audit", database))).ToLowerInvariant());
    }

    /// <summary>Every seeded personal value: names (whole and in parts), e-mails, phones, NDIS numbers, addresses.</summary>
    private List<string> PersonalValues()
    {
        var values = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Add(string? value)
        {
            if (!string.IsNullOrWhiteSpace(value) && value.Trim().Length >= 3)
            {
                values.Add(value.Trim());
            }
        }

        foreach (var row in demo.Query("SELECT first_name, last_name, ndis_number, contact_phone, emergency_contact FROM participants"))
        {
            Add(row[0]);
            Add(row[1]);
            Add($"{row[0]} {row[1]}");
            Add(row[2]);
            Add(row[3]);
            if (row[4] is { } contact)
            {
                var person = contact.Split(" (")[0];
                Add(person);
                Array.ForEach(person.Split(' '), Add);
                Add(Phone().Match(contact).Value);
            }
        }

        // The per-role development accounts are named after their roles ("Team Lead"): words every role
        // label and prompt holds, not people. Their e-mail addresses are still sought.
        foreach (var row in demo.Query("SELECT name, email, phone_number, email LIKE '%@supportsignal.local' FROM users"))
        {
            if (row[3] == "0")
            {
                Add(row[0]);
                Array.ForEach(row[0]!.Split(' '), Add);
            }

            Add(row[1]);
            Add(row[2]);
        }

        foreach (var row in demo.Query("SELECT reporter_name, participant_name FROM incidents"))
        {
            Add(row[0]);
            Add(row[1]);
        }

        foreach (var row in demo.Query("SELECT contact_email FROM companies UNION ALL SELECT address FROM sites UNION ALL SELECT email FROM user_invitations"))
        {
            Add(row[0]);
        }

        // Demo site names are street names, and streets are named after people ("Alexander Plaza Group Home"): a place
        // name is ordinary data that every export keeps, so a person's name that is also a word of one is not sought.
        var placeWords = demo.Query("SELECT name FROM sites UNION ALL SELECT name FROM companies")
            .SelectMany(r => r[0]!.Split(' ')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        values.RemoveWhere(placeWords.Contains);
        return [.. values];
    }

    /// <summary>
    /// One query per table through the server's query tool: all of a row's text and JSON columns against
    /// one pattern of every value, as whole words, any case. Returns "table.value (n rows)" for each value found.
    /// </summary>
    private static async Task<List<string>> ScanAsync(McpServerProcess server, JsonElement described, List<string> needles)
    {
        // A letter or an underscore may not touch a value: identifiers such as the JSON key "max_questions" or a
        // prompt's "{max_tokens}" are structure the export keeps on purpose (docs/export-format.md), not a person named Max.
        var pattern = Sql($"(?i)(^|[^\\pL_])({string.Join("|", needles.OrderByDescending(n => n.Length).Select(Escape))})([^\\pL_]|$)");
        var leaks = new List<string>();
        foreach (var table in described.GetProperty("tables").EnumerateArray())
        {
            var columns = table.GetProperty("columns").EnumerateArray()
                .Where(c => c.GetProperty("type").GetString() is "VARCHAR" or "JSON")
                .Select(c => $"CAST(\"{c.GetProperty("name").GetString()}\" AS VARCHAR)")
                .ToList();
            if (columns.Count == 0)
            {
                continue;
            }

            var name = table.GetProperty("name").GetString()!;
            var sql = $"SELECT lower(found) AS value, count(*) AS hits FROM (SELECT regexp_extract(concat_ws(' | ', {string.Join(", ", columns)}), " +
                $"'{pattern}', 2) AS found FROM \"{name}\") WHERE found <> '' GROUP BY ALL ORDER BY 1";
            var rows = McpServerProcess.Rows(await server.QueryAsync(sql, limit: 200));
            leaks.AddRange(rows.Select(r => $"{name}.{r[0]} ({r[1]} rows)"));
        }

        return leaks;
    }

    // RE2 syntax: letters, digits and spaces as they are, every other character escaped.
    private static string Escape(string needle)
    {
        var escaped = new StringBuilder();
        foreach (var c in needle)
        {
            escaped.Append(char.IsLetterOrDigit(c) || c == ' ' ? c.ToString() : "\\" + c);
        }

        return escaped.ToString();
    }

    private static string Sql(string text) => text.Replace("'", "''", StringComparison.Ordinal);

    private static Dictionary<string, string?> Connection(string database) => new()
    {
        ["ConnectionStrings__SupportSignal"] = $"Data Source={database}",
    };

    [GeneratedRegex(@"04\d\d \d{3} \d{3}")]
    private static partial Regex Phone();
}

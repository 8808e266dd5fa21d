using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

public sealed class DeidentifiedExportTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private static readonly ExportRequest Deidentified = new() { Deidentify = true };

    private TestDatabase Database => seeded.Database;

    [Fact]
    public async Task No_direct_identifier_of_any_participant_or_user_survives()
    {
        var text = Encoding.UTF8.GetString(await ExportRunner.BytesAsync(Database, Deidentified));

        Assert.Empty(await LeakedIdentifiersAsync(Database, text));
    }

    /// <summary>
    /// Every direct identifier the database holds (participants' names, birth dates, NDIS numbers and
    /// contacts; users' names, e-mails and phones; invitation and company e-mails; site addresses) that
    /// occurs as a whole word in <paramref name="text"/>, JSON-escaped as the export writes strings.
    /// </summary>
    public static async Task<List<string>> LeakedIdentifiersAsync(TestDatabase database, string text)
    {
        await using var db = database.NewContext();
        var identifiers = new List<string>();
        foreach (var p in await db.Participants.ToListAsync(TestContext.Current.CancellationToken))
        {
            identifiers.Add($"{p.FirstName} {p.LastName}");
            identifiers.Add(p.DateOfBirth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            identifiers.AddRange(new[] { p.NdisNumber, p.ContactPhone, p.EmergencyContact }.OfType<string>());
        }

        foreach (var u in await db.Users.ToListAsync(TestContext.Current.CancellationToken))
        {
            identifiers.AddRange(new[] { u.Name, u.Email, u.NormalizedEmail, u.PhoneNumber }.OfType<string>());
        }

        identifiers.AddRange(await db.UserInvitations.Select(i => i.Email).ToListAsync(TestContext.Current.CancellationToken));
        identifiers.AddRange(await db.Companies.Where(c => c.ContactEmail != null).Select(c => c.ContactEmail!).ToListAsync(TestContext.Current.CancellationToken));
        identifiers.AddRange(await db.Sites.Where(s => s.Address != null).Select(s => s.Address!).ToListAsync(TestContext.Current.CancellationToken));
        Assert.True(identifiers.Count > 150);

        return identifiers.Distinct()
            .Where(id => Regex.IsMatch(text, $@"(?<![\p{{L}}\d]){Regex.Escape(JsonEncodedText.Encode(id, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString())}(?![\p{{L}}\d])", RegexOptions.IgnoreCase))
            .ToList();
    }

    [Fact]
    public async Task Given_and_family_names_are_gone_from_every_column_that_holds_prose_or_names()
    {
        using var document = JsonDocument.Parse(await ExportRunner.BytesAsync(Database, Deidentified));
        await using var db = Database.NewContext();
        var names = (await db.Participants.Select(p => new[] { p.FirstName, p.LastName }).ToListAsync(TestContext.Current.CancellationToken))
            .SelectMany(n => n)
            .Concat((await db.Users.Select(u => u.Name).ToListAsync(TestContext.Current.CancellationToken)).SelectMany(n => n.Split(' ')))
            .Where(n => n.Length > 2)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var pattern = new Regex($@"(?<!\p{{L}})(?:{string.Join("|", names.Select(Regex.Escape))})(?!\p{{L}})", RegexOptions.IgnoreCase);

        var metadata = document.RootElement.GetProperty("metadata");
        var sanitization = metadata.GetProperty("sanitization");
        var rewritten = sanitization.GetProperty("pseudonymizedColumns").EnumerateArray()
            .Concat(sanitization.GetProperty("scrubbedColumns").EnumerateArray())
            .Select(c => (Table: c.GetProperty("table").GetString()!, Column: c.GetProperty("column").GetString()!))
            .ToList();
        Assert.Contains(("incident_narratives", "during_event"), rewritten);
        Assert.Contains(("participants", "last_name"), rewritten);
        Assert.Contains(("ai_request_logs", "input_data"), rewritten);
        var checkedValues = 0;
        foreach (var (table, column) in rewritten)
        {
            foreach (var row in document.RootElement.GetProperty("data").GetProperty(table).EnumerateArray())
            {
                var value = row.GetProperty(column);
                var raw = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                var match = pattern.Match(raw);
                Assert.False(match.Success, $"{table}.{column} still says '{match.Value}': {raw[..Math.Min(raw.Length, 200)]}");
                checkedValues++;
            }
        }

        Assert.True(checkedValues > 2_000, $"only {checkedValues} values checked");
    }

    [Fact]
    public async Task Names_in_an_ai_error_message_or_a_debug_stack_trace_are_scrubbed()
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small);
        var participant = database.Strings("SELECT first_name || ' ' || last_name FROM participants ORDER BY id LIMIT 1").Single();
        var user = database.Strings("SELECT name FROM users ORDER BY id LIMIT 1").Single();
        database.Execute(
            "UPDATE ai_request_logs SET error_message = $text WHERE id = (SELECT id FROM ai_request_logs ORDER BY id LIMIT 1)",
            ("$text", $"Model refused the prompt: 'Describe how {participant} reacted when {user} arrived'"));
        database.Execute(
            "UPDATE debug_logs SET stack = $text WHERE id = (SELECT id FROM debug_logs ORDER BY id LIMIT 1)",
            ("$text", $"Error: cannot save narrative for {participant}\n    at saveNarrative (capture.js:212:17) by {user}"));

        var request = Deidentified with { Tables = ["ai_request_logs", "debug_logs"] };
        var text = Encoding.UTF8.GetString(await ExportRunner.BytesAsync(database, request));
        Assert.Contains("Model refused the prompt", text);
        Assert.Contains("at saveNarrative (capture.js:212:17)", text);
        foreach (var name in participant.Split(' ').Concat(user.Split(' ')))
        {
            Assert.DoesNotMatch($@"(?i)(?<!\p{{L}}){Regex.Escape(name)}(?!\p{{L}})", text);
        }

        using var document = JsonDocument.Parse(text);
        var scrubbed = document.RootElement.GetProperty("metadata").GetProperty("sanitization").GetProperty("scrubbedColumns").EnumerateArray()
            .Select(c => $"{c.GetProperty("table").GetString()}.{c.GetProperty("column").GetString()}").ToList();
        Assert.Contains("ai_request_logs.error_message", scrubbed);
        Assert.Contains("debug_logs.stack", scrubbed);
    }

    [Fact]
    public async Task Counts_are_unchanged_foreign_keys_resolve_and_json_stays_json()
    {
        using var normal = await ExportRunner.DocumentAsync(Database);
        using var deidentified = JsonDocument.Parse(await ExportRunner.BytesAsync(Database, Deidentified));
        Assert.Equal(
            normal.RootElement.GetProperty("metadata").GetProperty("recordCounts").GetRawText(),
            deidentified.RootElement.GetProperty("metadata").GetProperty("recordCounts").GetRawText());
        ExportConsistencyTests.AssertEveryForeignKeyResolves(deidentified);

        var handoff = deidentified.RootElement.GetProperty("data").GetProperty("workflow_handoffs")[1].GetProperty("handoff_data");
        Assert.Equal(JsonValueKind.Object, handoff.ValueKind);
        Assert.StartsWith("Participant ", handoff.GetProperty("participant_name").GetString());
        Assert.StartsWith("User ", handoff.GetProperty("reporter_name").GetString());
        Assert.True(deidentified.RootElement.GetProperty("metadata").GetProperty("sanitization").GetProperty("deidentified").GetBoolean());
    }

    [Fact]
    public async Task The_same_person_has_the_same_pseudonym_in_every_table()
    {
        using var document = JsonDocument.Parse(await ExportRunner.BytesAsync(Database, Deidentified));
        var data = document.RootElement.GetProperty("data");
        var participants = data.GetProperty("participants").EnumerateArray().ToDictionary(
            p => p.GetProperty("id").GetString()!,
            p => $"{p.GetProperty("first_name").GetString()} {p.GetProperty("last_name").GetString()}");
        Assert.All(participants.Values, name => Assert.Matches("^Participant [0-9A-F]{6}$", name));
        Assert.Equal(participants.Count, participants.Values.Distinct().Count());

        var narratives = data.GetProperty("incident_narratives").EnumerateArray()
            .ToDictionary(n => n.GetProperty("incident_id").GetString()!, n => n.GetRawText());
        var compared = 0;
        foreach (var incident in data.GetProperty("incidents").EnumerateArray())
        {
            if (incident.GetProperty("participant_id").GetString() is { } participantId)
            {
                var pseudonym = participants[participantId];
                Assert.Equal(pseudonym, incident.GetProperty("participant_name").GetString());
                // The demo narratives name the participant in the account of what happened.
                if (narratives.TryGetValue(incident.GetProperty("id").GetString()!, out var narrative) && narrative.Contains("Participant ", StringComparison.Ordinal))
                {
                    Assert.Contains(pseudonym, narrative);
                    compared++;
                }
            }
        }

        Assert.True(compared > 50, $"only {compared} narratives compared");
        var birthYears = data.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("date_of_birth").GetString()!);
        Assert.All(birthYears, year => Assert.Matches("^(19|20)\\d\\d$", year));
        Assert.All(data.GetProperty("users").EnumerateArray(), u => Assert.Matches("^user-[0-9a-f]{6}@example\\.invalid$", u.GetProperty("email").GetString()));
    }

    [Fact]
    public async Task A_fresh_key_per_export_unlinks_exports_and_a_configured_key_links_them_without_appearing()
    {
        const string key = "correct horse battery staple 7c1e0f9a";
        static string FirstPseudonym(byte[] bytes)
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.GetProperty("data").GetProperty("incidents")[0].GetProperty("participant_name").GetString()!;
        }

        var fresh1 = await ExportRunner.BytesAsync(Database, Deidentified);
        var fresh2 = await ExportRunner.BytesAsync(Database, Deidentified);
        Assert.NotEqual(FirstPseudonym(fresh1), FirstPseudonym(fresh2));

        var keyed1 = await ExportRunner.BytesAsync(Database, Deidentified, new ExportEngineOptions { PseudonymKey = key });
        var keyed2 = await ExportRunner.BytesAsync(Database, Deidentified, new ExportEngineOptions { PseudonymKey = key });
        Assert.True(keyed1.AsSpan().SequenceEqual(keyed2));
        Assert.DoesNotContain(key, Encoding.UTF8.GetString(keyed1));
        Assert.DoesNotContain("horse", new ExportEngineOptions { PseudonymKey = key }.ToString());
        using var document = JsonDocument.Parse(keyed1);
        Assert.StartsWith("configured", document.RootElement.GetProperty("metadata").GetProperty("sanitization").GetProperty("pseudonymKey").GetString());
    }

    [Fact]
    public async Task The_fast_path_and_the_generic_path_de_identify_identically_and_the_file_name_says_so()
    {
        var options = new ExportEngineOptions { PseudonymKey = "k" };
        var fast = await ExportRunner.BytesAsync(Database, Deidentified, options);
        var generic = await ExportRunner.BytesAsync(Database, Deidentified, options with { UseSqliteFastPath = false });
        Assert.True(fast.AsSpan().SequenceEqual(generic));
        Assert.Equal("supportsignal-db-export-2026-11-26-0930-deidentified.zip",
            (Deidentified with { Format = ExportFormat.Zip }).FileName(TestClock.Now.UtcDateTime));
    }
}

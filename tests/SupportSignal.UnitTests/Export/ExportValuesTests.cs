using System.Globalization;
using System.Text.Json;

using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

public sealed class ExportValuesTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private TestDatabase Database => seeded.Database;

    [Fact]
    public async Task Unicode_quotes_control_characters_and_very_long_text_round_trip_exactly()
    {
        using var document = await ExportRunner.DocumentAsync(Database);
        var participant = Row(document, "participants", SeededDatabase.TrickyParticipantId);

        Assert.Equal(SeededDatabase.TrickyFirstName, participant.GetProperty("first_name").GetString());
        Assert.Equal("Ünïcode-Łast", participant.GetProperty("last_name").GetString());
        Assert.Equal(SeededDatabase.LongText, participant.GetProperty("care_notes").GetString());
        Assert.True(SeededDatabase.LongText.Length > 2_000_000);
    }

    [Fact]
    public async Task Timestamps_are_iso_utc_dates_are_plain_guids_lowercase_and_numbers_are_numbers()
    {
        using var document = await ExportRunner.DocumentAsync(Database);
        var participant = Row(document, "participants", SeededDatabase.TrickyParticipantId);
        Assert.Equal("2025-06-30T23:59:59.1234567Z", participant.GetProperty("created_at").GetString());
        Assert.Equal("1990-02-28", participant.GetProperty("date_of_birth").GetString());
        Assert.Equal(JsonValueKind.Null, participant.GetProperty("updated_at").ValueKind);
        Assert.Equal("high", participant.GetProperty("support_level").GetString());

        var incident = document.RootElement.GetProperty("data").GetProperty("incidents")[0];
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", incident.GetProperty("id").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$", incident.GetProperty("event_date_time").GetString());
        Assert.Contains(incident.GetProperty("questions_generated").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });

        var expectedEvent = DateTime.Parse(
            Database.Strings($"SELECT event_date_time FROM incidents WHERE id = '{incident.GetProperty("id").GetString()!.ToUpperInvariant()}'")[0],
            CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.Equal(expectedEvent, incident.GetProperty("event_date_time").GetDateTime().ToUniversalTime());

        var log = document.RootElement.GetProperty("data").GetProperty("ai_request_logs").EnumerateArray()
            .First(l => l.GetProperty("success").GetBoolean());
        Assert.Equal(JsonValueKind.Number, log.GetProperty("cost_usd").ValueKind);
        Assert.Equal(JsonValueKind.Number, log.GetProperty("tokens_used").ValueKind);
        var id = log.GetProperty("id").GetString()!.ToUpperInvariant();
        Assert.Equal(
            decimal.Parse(Database.Strings($"SELECT CAST(cost_usd AS TEXT) FROM ai_request_logs WHERE id = '{id}'")[0], CultureInfo.InvariantCulture),
            log.GetProperty("cost_usd").GetDecimal());
    }

    [Fact]
    public async Task Json_text_columns_are_embedded_as_json_and_malformed_ones_stay_strings()
    {
        using var document = await ExportRunner.DocumentAsync(Database);
        var handoffs = document.RootElement.GetProperty("data").GetProperty("workflow_handoffs").EnumerateArray().ToList();

        var broken = handoffs[0].GetProperty("handoff_data");
        Assert.Equal(JsonValueKind.String, broken.ValueKind);
        Assert.Equal(SeededDatabase.BrokenJson, broken.GetString());

        var embedded = handoffs[1].GetProperty("handoff_data");
        Assert.Equal(JsonValueKind.Object, embedded.ValueKind);
        Assert.Equal(handoffs[1].GetProperty("incident_id").GetString(), embedded.GetProperty("incident_id").GetString()!.ToLowerInvariant());

        var logs = document.RootElement.GetProperty("data").GetProperty("ai_request_logs").EnumerateArray().ToList();
        Assert.All(logs, l => Assert.Equal(JsonValueKind.Object, l.GetProperty("input_data").ValueKind));
        Assert.Contains(logs, l => l.GetProperty("output_data").ValueKind == JsonValueKind.String); // an upstream HTML error page

        var metadataColumns = document.RootElement.GetProperty("metadata").GetProperty("tables").EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "ai_request_logs").GetProperty("columns").EnumerateArray();
        Assert.True(metadataColumns.Single(c => c.GetProperty("name").GetString() == "input_data").GetProperty("json").GetBoolean());
    }

    [Fact]
    public async Task The_fast_sqlite_path_and_the_generic_data_reader_path_write_identical_bytes()
    {
        ExportRequest everything;
        await using (var db = Database.NewContext())
        {
            everything = new ExportRequest { Tables = new ExportService(db).Catalog.Tables.Where(t => !t.IsWhollySecret).Select(t => t.Name).ToList() };
        }

        // The fast path reads values on the statement's raw handle, from the very SQLite library SQLitePCLRaw loaded.
        Assert.True(SupportSignal.Export.Writing.SqliteColumns.Direct, "the fast path could not bind the bundled SQLite and fell back to SQLitePCLRaw");
        var fast = await ExportRunner.BytesAsync(Database, everything, new ExportEngineOptions { UseSqliteFastPath = true });
        var generic = await ExportRunner.BytesAsync(Database, everything, new ExportEngineOptions { UseSqliteFastPath = false });
        Assert.True(fast.Length > 500_000);
        Assert.True(fast.AsSpan().SequenceEqual(generic), $"fast {fast.Length} bytes, generic {generic.Length} bytes; first difference at {FirstDifference(fast, generic)}");
    }

    private static int FirstDifference(byte[] a, byte[] b) => a.AsSpan().CommonPrefixLength(b);

    private static JsonElement Row(JsonDocument document, string table, string id) =>
        document.RootElement.GetProperty("data").GetProperty(table).EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
}

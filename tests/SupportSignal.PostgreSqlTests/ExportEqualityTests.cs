using System.Text.Json;

using SupportSignal.Export;

namespace SupportSignal.PostgreSqlTests;

public sealed class TwinDatabasesFixture : IAsyncLifetime
{
    public TwinDatabases Databases { get; } = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => Databases.DisposeAsync();
}

/// <summary>
/// The same data exported from SQLite and from PostgreSQL gives the same data members: every table,
/// every row in the same (primary-key) order, every value written the same way, byte for byte.
/// </summary>
public sealed class ExportEqualityTests(TwinDatabasesFixture fixture) : IClassFixture<TwinDatabasesFixture>
{
    private TwinDatabases Twins => fixture.Databases;

    [Fact]
    public async Task A_full_export_from_PostgreSQL_holds_exactly_what_the_SQLite_export_holds()
    {
        await Twins.EnsureAsync();
        var (sqlite, postgres) = await BothAsync(new ExportRequest());

        AssertSameData(sqlite, postgres);
        Assert.Equal("postgresql", postgres.RootElement.GetProperty("metadata").GetProperty("database").GetProperty("provider").GetString());
        Assert.True(postgres.RootElement.GetProperty("data").GetProperty("incidents").GetArrayLength() >= TwinDatabases.Demo.Incidents);
    }

    [Fact]
    public async Task Timestamps_decimals_guids_and_embedded_json_are_written_alike()
    {
        await Twins.EnsureAsync();
        var (sqlite, postgres) = await BothAsync(new ExportRequest { Tables = ["ai_request_logs", "debug_logs"] });

        AssertSameData(sqlite, postgres);
        var edge = Rows(postgres, "ai_request_logs").Where(r => r.GetProperty("operation").GetString() == "edge_case").ToList();
        Assert.Equal(["1.5", "2.0", "0.000001", "123456789012.123456", "-0.25", "0.0", "null"],
            edge.Select(r => r.GetProperty("cost_usd").GetRawText()));
        Assert.Equal("2025-02-03T04:05:06.123456Z", edge[0].GetProperty("created_at").GetString());
        Assert.Equal("0f000000-0000-7000-8000-000000000000", edge[0].GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Object, edge[0].GetProperty("input_data").ValueKind);
        Assert.Equal("not json {", edge[1].GetProperty("input_data").GetString());
        var log = Rows(postgres, "debug_logs").Single(r => r.GetProperty("id").GetString() == "0f000000-0000-7000-8000-0000000000d1");
        Assert.Equal("2024-12-31T23:59:59.999999Z", log.GetProperty("timestamp").GetString());
        Assert.Equal(1000, log.GetProperty("context").GetProperty("z").GetDouble());
    }

    [Fact]
    public async Task A_segment_holds_the_same_rows_from_both()
    {
        await Twins.EnsureAsync();
        var full = await TwinDatabases.ExportAsync(Twins.Sqlite, new ExportRequest());
        using var document = JsonDocument.Parse(full);
        var company = Guid.Parse(Rows(document, "companies")[1].GetProperty("id").GetString()!);
        var request = new ExportRequest { Companies = [company], From = new DateOnly(2024, 6, 1), To = new DateOnly(2025, 6, 30) };

        var (sqlite, postgres) = await BothAsync(request);

        AssertSameData(sqlite, postgres);
        var incidents = Rows(postgres, "incidents");
        Assert.NotEmpty(incidents);
        Assert.True(incidents.Count < Rows(document, "incidents").Count, "the segment should hold fewer incidents than the whole");
        Assert.All(incidents, i => Assert.Equal(company.ToString(), i.GetProperty("company_id").GetString()));
    }

    [Fact]
    public async Task A_deidentified_export_with_a_fixed_key_gives_the_same_pseudonyms_and_scrubbed_text()
    {
        await Twins.EnsureAsync();
        var (sqlite, postgres) = await BothAsync(new ExportRequest { Deidentify = true });

        AssertSameData(sqlite, postgres);
        var original = await TwinDatabases.ExportAsync(Twins.PostgreSql, new ExportRequest());
        using var plain = JsonDocument.Parse(original);
        var name = Rows(plain, "participants")[0].GetProperty("first_name").GetString()!;
        Assert.DoesNotContain(Rows(postgres, "participants"), p => p.GetProperty("first_name").GetString() == name);
    }

    private async Task<(JsonDocument Sqlite, JsonDocument PostgreSql)> BothAsync(ExportRequest request) =>
        (JsonDocument.Parse(await TwinDatabases.ExportAsync(Twins.Sqlite, request)),
         JsonDocument.Parse(await TwinDatabases.ExportAsync(Twins.PostgreSql, request)));

    private static List<JsonElement> Rows(JsonDocument document, string table) =>
        document.RootElement.GetProperty("data").GetProperty(table).EnumerateArray().ToList();

    /// <summary>Table by table, row by row, value by value, as the bytes each export wrote.</summary>
    private static void AssertSameData(JsonDocument sqlite, JsonDocument postgres)
    {
        var expected = sqlite.RootElement.GetProperty("data");
        var actual = postgres.RootElement.GetProperty("data");
        Assert.Equal(expected.EnumerateObject().Select(t => t.Name), actual.EnumerateObject().Select(t => t.Name));
        Assert.Equal(
            sqlite.RootElement.GetProperty("metadata").GetProperty("recordCounts").GetRawText(),
            postgres.RootElement.GetProperty("metadata").GetProperty("recordCounts").GetRawText());
        var values = 0;
        foreach (var table in expected.EnumerateObject())
        {
            var expectedRows = table.Value.EnumerateArray().ToList();
            var actualRows = actual.GetProperty(table.Name).EnumerateArray().ToList();
            Assert.True(expectedRows.Count == actualRows.Count, $"{table.Name}: {expectedRows.Count} rows from SQLite, {actualRows.Count} from PostgreSQL");
            for (var i = 0; i < expectedRows.Count; i++)
            {
                var expectedColumns = expectedRows[i].EnumerateObject().ToList();
                var actualColumns = actualRows[i].EnumerateObject().ToList();
                Assert.Equal(expectedColumns.Select(c => c.Name), actualColumns.Select(c => c.Name));
                for (var c = 0; c < expectedColumns.Count; c++)
                {
                    var want = expectedColumns[c].Value.GetRawText();
                    var got = actualColumns[c].Value.GetRawText();
                    Assert.True(want == got, $"{table.Name}[{i}].{expectedColumns[c].Name}: SQLite wrote {want}, PostgreSQL wrote {got}");
                    values++;
                }
            }
        }

        Assert.True(values > 0, "the exports should hold values");
    }
}

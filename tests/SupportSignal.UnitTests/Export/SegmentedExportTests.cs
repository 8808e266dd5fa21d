using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

public sealed class SegmentedExportTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private TestDatabase Database => seeded.Database;

    [Fact]
    public async Task A_company_segment_holds_exactly_that_companys_rows_through_every_parent_chain()
    {
        await using var db = Database.NewContext();
        var company = await db.Companies.OrderBy(c => c.Name).Select(c => c.Id).FirstAsync(TestContext.Current.CancellationToken);
        using var document = await ExportRunner.DocumentAsync(Database, new ExportRequest { Companies = [company] });

        var incidents = await db.Incidents.Where(i => i.CompanyId == company).Select(i => i.Id).ToListAsync(TestContext.Current.CancellationToken);
        Assert.NotEmpty(incidents);
        AssertIds(incidents, document, "incidents");
        AssertIds(await db.IncidentNarratives.Where(n => incidents.Contains(n.IncidentId)).Select(n => n.Id).ToListAsync(TestContext.Current.CancellationToken), document, "incident_narratives");
        AssertIds(await db.ClarificationAnswers.Where(a => incidents.Contains(a.IncidentId)).Select(a => a.Id).ToListAsync(TestContext.Current.CancellationToken), document, "clarification_answers");
        var analyses = await db.IncidentAnalyses.Where(a => incidents.Contains(a.IncidentId)).Select(a => a.Id).ToListAsync(TestContext.Current.CancellationToken);
        AssertIds(await db.IncidentClassifications.Where(c => analyses.Contains(c.AnalysisId)).Select(c => c.Id).ToListAsync(TestContext.Current.CancellationToken), document, "incident_classifications");
        AssertIds(await db.AiRequestLogs.Where(l => l.IncidentId != null && incidents.Contains(l.IncidentId.Value)).Select(l => l.Id).ToListAsync(TestContext.Current.CancellationToken), document, "ai_request_logs");
        AssertIds(await db.Participants.Where(p => p.CompanyId == company).Select(p => p.Id).ToListAsync(TestContext.Current.CancellationToken), document, "participants");
        AssertIds([company], document, "companies");

        AssertNoRowOfAnotherCompany(document, company);
        ExportConsistencyTests.AssertEveryForeignKeyResolves(document);
        Assert.Equal(await db.AiPrompts.CountAsync(TestContext.Current.CancellationToken), Data(document, "ai_prompts").GetArrayLength());
    }

    [Fact]
    public async Task A_site_segment_holds_the_sites_participants_and_incidents_and_what_they_reference()
    {
        await using var db = Database.NewContext();
        var sites = await db.Sites.OrderBy(s => s.Id).Select(s => s.Id).Take(2).ToListAsync(TestContext.Current.CancellationToken);
        using var document = await ExportRunner.DocumentAsync(Database, new ExportRequest { Sites = sites });

        var incidents = await db.Incidents.Where(i => i.SiteId != null && sites.Contains(i.SiteId.Value)).ToListAsync(TestContext.Current.CancellationToken);
        Assert.NotEmpty(incidents);
        AssertIds(incidents.Select(i => i.Id), document, "incidents");
        var referenced = incidents.Where(i => i.ParticipantId != null).Select(i => i.ParticipantId!.Value);
        AssertIds(
            (await db.Participants.Where(p => p.SiteId != null && sites.Contains(p.SiteId.Value)).Select(p => p.Id).ToListAsync(TestContext.Current.CancellationToken)).Union(referenced),
            document, "participants");
        AssertIds(sites, document, "sites");
        ExportConsistencyTests.AssertEveryForeignKeyResolves(document);
    }

    [Fact]
    public async Task A_date_range_takes_incidents_by_event_date_inclusive_and_their_children()
    {
        await using var db = Database.NewContext();
        var from = new DateOnly(2024, 3, 1);
        var to = new DateOnly(2024, 9, 30);
        using var document = await ExportRunner.DocumentAsync(Database, new ExportRequest { From = from, To = to });

        var start = from.ToDateTime(TimeOnly.MinValue);
        var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue);
        var incidents = await db.Incidents.Where(i => i.EventDateTime >= start && i.EventDateTime < end).Select(i => i.Id).ToListAsync(TestContext.Current.CancellationToken);
        Assert.InRange(incidents.Count, 5, await db.Incidents.CountAsync(TestContext.Current.CancellationToken) - 5);
        AssertIds(incidents, document, "incidents");
        AssertIds(await db.ClarificationQuestions.Where(q => incidents.Contains(q.IncidentId)).Select(q => q.Id).ToListAsync(TestContext.Current.CancellationToken), document, "clarification_questions");
        Assert.All(Data(document, "incidents").EnumerateArray(), i =>
            Assert.InRange(i.GetProperty("event_date_time").GetDateTime().ToUniversalTime(), start, end.AddTicks(-1)));

        // Tables not linked to incidents hold only what the incidents reference.
        Assert.True(Data(document, "users").GetArrayLength() < await db.Users.CountAsync(TestContext.Current.CancellationToken));
        Assert.Empty(Data(document, "user_invitations").EnumerateArray());
        ExportConsistencyTests.AssertEveryForeignKeyResolves(document);
    }

    [Fact]
    public async Task Filters_combine_with_and()
    {
        await using var db = Database.NewContext();
        var company = await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).Skip(1).FirstAsync(TestContext.Current.CancellationToken);
        var from = new DateOnly(2024, 6, 1);
        using var document = await ExportRunner.DocumentAsync(Database, new ExportRequest { Companies = [company], From = from });

        var start = from.ToDateTime(TimeOnly.MinValue);
        AssertIds(
            await db.Incidents.Where(i => i.CompanyId == company && i.EventDateTime >= start).Select(i => i.Id).ToListAsync(TestContext.Current.CancellationToken),
            document, "incidents");
        AssertNoRowOfAnotherCompany(document, company);
    }

    [Fact]
    public async Task Named_tables_bring_their_referenced_parents_unless_closure_is_off()
    {
        await using var db = Database.NewContext();
        var company = await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync(TestContext.Current.CancellationToken);

        using (var closed = await ExportRunner.DocumentAsync(Database, new ExportRequest { Companies = [company], Tables = ["clarification_answers"] }))
        {
            AssertIds(
                await db.ClarificationAnswers.Where(a => db.Incidents.Any(i => i.Id == a.IncidentId && i.CompanyId == company)).Select(a => a.Id).ToListAsync(TestContext.Current.CancellationToken),
                closed, "clarification_answers");
            var segment = closed.RootElement.GetProperty("metadata").GetProperty("segment");
            Assert.Contains("incidents", Strings(segment.GetProperty("closureTables")));
            Assert.Contains("clarification_questions", Strings(segment.GetProperty("closureTables")));
            ExportConsistencyTests.AssertEveryForeignKeyResolves(closed);
        }

        using var open = await ExportRunner.DocumentAsync(Database, new ExportRequest { Companies = [company], Tables = ["incidents"], Closure = false });
        Assert.Equal(["incidents"], open.RootElement.GetProperty("data").EnumerateObject().Select(t => t.Name));
        var metadata = open.RootElement.GetProperty("metadata");
        Assert.Equal(["companies", "participants", "sites", "users"], Strings(metadata.GetProperty("segment").GetProperty("referencedTablesLeftOut")));
        Assert.False(metadata.GetProperty("filtersApplied").GetProperty("closure").GetBoolean());
    }

    [Fact]
    public async Task The_metadata_echoes_the_normalized_filters_and_the_file_name_says_segment()
    {
        await using var db = Database.NewContext();
        var company = await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync(TestContext.Current.CancellationToken);
        var request = ExportInput.Parse(["Incidents, sites"], [company.ToString().ToUpperInvariant()], null, "2024-01-01", " 2026-12-31 ", closure: true);
        using var document = await ExportRunner.DocumentAsync(Database, request);

        var metadata = document.RootElement.GetProperty("metadata");
        Assert.Equal("segmented", metadata.GetProperty("exportType").GetString());
        var filters = metadata.GetProperty("filtersApplied");
        Assert.Equal([company.ToString()], Strings(filters.GetProperty("companies")));
        Assert.Equal("2024-01-01", filters.GetProperty("from").GetString());
        Assert.Equal("2026-12-31", filters.GetProperty("to").GetString());
        Assert.Equal(["sites", "incidents"], Strings(filters.GetProperty("tables")));
        Assert.True(filters.GetProperty("closure").GetBoolean());
        Assert.Equal("supportsignal-db-export-2026-11-26-0930-segment.json", request.FileName(TestClock.Now.UtcDateTime));

        using var full = await ExportRunner.DocumentAsync(Database, new ExportRequest { Companies = [company] });
        Assert.Equal(["ai_prompts", "role_claims", "roles"], Strings(full.RootElement.GetProperty("metadata").GetProperty("segment").GetProperty("sharedTables")).Order());
    }

    [Theory]
    [InlineData("company", "not-a-guid", "is not a valid id")]
    [InlineData("company", "'; DROP TABLE incidents; --", "is not a valid id")]
    [InlineData("site", "00000000-0000-0000-0000-0000000000zz", "is not a valid id")]
    [InlineData("from", "2024-13-01", "use YYYY-MM-DD")]
    [InlineData("to", "yesterday", "use YYYY-MM-DD")]
    [InlineData("from", "\u0000\u001b[31m", "\\u0000")]
    public void Unparseable_filter_values_are_refused_naming_the_field(string field, string value, string message)
    {
        var error = Assert.Throws<ExportRequestException>(() => ExportInput.Parse(
            null,
            field == "company" ? [value] : null,
            field == "site" ? [value] : null,
            field == "from" ? value : null,
            field == "to" ? value : null,
            closure: true));
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_huge_value_is_refused_with_a_short_message()
    {
        var error = Assert.Throws<ExportRequestException>(() => ExportInput.Parse(null, [new string('x', 10_000)], null, null, null, true));
        Assert.Equal("company", error.Field);
        Assert.True(error.Message.Length < 300, error.Message);
    }

    [Fact]
    public async Task Requests_that_cannot_be_met_are_refused_before_any_byte_is_written()
    {
        await using var db = Database.NewContext();
        var service = new ExportService(db);
        var company = await db.Companies.Select(c => c.Id).FirstAsync(TestContext.Current.CancellationToken);
        (ExportRequest Request, string Field, string Message)[] cases =
        [
            (new ExportRequest { Companies = [Guid.Parse("018cc251-0000-7000-8000-000000000000")] }, "company", "No company has the id 018cc251-0000-7000-8000-000000000000"),
            (new ExportRequest { Sites = [company] }, "site", "No site has the id"),
            (new ExportRequest { From = new DateOnly(2025, 2, 1), To = new DateOnly(2025, 1, 1) }, "from", "after the end date"),
            (new ExportRequest { Companies = [company], Tables = ["user_invitations"], Closure = false, From = new DateOnly(2025, 1, 1) }, "tables", "Nothing to export"),
        ];
        foreach (var (request, field, message) in cases)
        {
            using var output = new MemoryStream();
            var error = await Assert.ThrowsAsync<ExportRequestException>(() => service.ExportAsync(request, output));
            Assert.Equal(field, error.Field);
            Assert.Contains(message, error.Message);
            Assert.Equal(0, output.Length);
        }
    }

    // Every row of every table that reaches a company through the export's own foreign keys
    // belongs to that company (or to none: system accounts, shared prompts).
    private static void AssertNoRowOfAnotherCompany(JsonDocument document, Guid company)
    {
        var data = document.RootElement.GetProperty("data");
        var tables = document.RootElement.GetProperty("metadata").GetProperty("tables").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!);
        var rows = data.EnumerateObject().ToDictionary(
            t => t.Name, t => t.Value.EnumerateArray().Where(r => r.TryGetProperty("id", out _)).ToDictionary(r => r.GetProperty("id").ToString()));
        var expected = company.ToString();
        var checkedRows = 0;

        string? CompanyOf(string table, JsonElement row, int depth)
        {
            if (table == "companies")
            {
                return row.GetProperty("id").GetString();
            }

            if (row.TryGetProperty("company_id", out var direct))
            {
                return direct.ValueKind == JsonValueKind.Null ? null : direct.GetString();
            }

            foreach (var fk in tables[table].GetProperty("foreignKeys").EnumerateArray())
            {
                var parent = fk.GetProperty("references").GetProperty("table").GetString()!;
                var value = row.GetProperty(fk.GetProperty("columns")[0].GetString()!);
                if (depth < 6 && parent != "users" && value.ValueKind == JsonValueKind.String && rows.TryGetValue(parent, out var parents)
                    && parents.TryGetValue(value.GetString()!, out var parentRow))
                {
                    return CompanyOf(parent, parentRow, depth + 1);
                }
            }

            return null;
        }

        foreach (var (table, tableRows) in rows)
        {
            foreach (var row in tableRows.Values)
            {
                var owner = CompanyOf(table, row, 0);
                if (owner is not null)
                {
                    Assert.True(owner == expected, $"{table} row {row.GetProperty("id")} belongs to company {owner}");
                    checkedRows++;
                }
            }
        }

        Assert.True(checkedRows > 100, $"only {checkedRows} rows could be traced to a company");
    }

    private static void AssertIds(IEnumerable<Guid> expected, JsonDocument document, string table) =>
        Assert.Equal(
            expected.Select(id => id.ToString()).Distinct().Order(StringComparer.Ordinal).ToList(),
            Data(document, table).EnumerateArray().Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList());

    private static JsonElement Data(JsonDocument document, string table) => document.RootElement.GetProperty("data").GetProperty(table);

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}

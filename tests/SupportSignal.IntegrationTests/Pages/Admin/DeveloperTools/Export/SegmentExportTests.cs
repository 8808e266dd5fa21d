using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

/// <summary>The page's segment form and de-identify option, checked against the database itself.</summary>
public sealed partial class SegmentExportTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_company_segment_holds_exactly_that_companys_participants_and_incidents()
    {
        using var db = app.OpenDatabase();
        var company = db.Companies.OrderBy(c => c.Name).First().Id;
        var expectedParticipants = db.Participants.Where(p => p.CompanyId == company).Select(p => p.Id).AsEnumerable().ToHashSet();
        var expectedIncidents = db.Incidents.Where(i => i.CompanyId == company).Select(i => i.Id).AsEnumerable().ToHashSet();
        var expectedNarratives = db.IncidentNarratives.Where(n => expectedIncidents.Contains(n.IncidentId)).Select(n => n.Id).AsEnumerable().ToHashSet();

        var response = await ExportForm.PostAsync(await ExportDownload.AdminAsync(app),
            [new("Companies", company.ToString()), new("Closure", "false"), new("Format", "json")]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(@"^supportsignal-db-export-\d{4}-\d{2}-\d{2}-\d{4}-segment\.json$", ExportDownload.FileName(response));
        using var file = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal("segmented", file.RootElement.GetProperty("metadata").GetProperty("exportType").GetString());
        Assert.Equal(expectedParticipants, Ids(file, "participants"));
        Assert.Equal(expectedIncidents, Ids(file, "incidents"));
        Assert.Equal(expectedNarratives, Ids(file, "incident_narratives"));
    }

    [Fact]
    public async Task Companies_dates_and_tables_combine_with_and_and_the_page_counted_the_same_rows_before_download()
    {
        using var db = app.OpenDatabase();
        var companies = db.Companies.OrderBy(c => c.Name).Take(2).Select(c => c.Id).ToList();
        var dates = db.Incidents.Select(i => i.EventDateTime).AsEnumerable().Order().ToList();
        var from = DateOnly.FromDateTime(dates[dates.Count / 4]);
        var to = DateOnly.FromDateTime(dates[dates.Count * 3 / 4]);
        var expected = db.Incidents.AsEnumerable()
            .Where(i => companies.Contains(i.CompanyId)
                && DateOnly.FromDateTime(i.EventDateTime) >= from && DateOnly.FromDateTime(i.EventDateTime) <= to)
            .Select(i => i.Id).ToHashSet();
        Assert.NotEmpty(expected);
        var client = await ExportDownload.AdminAsync(app);
        var query = $"?Companies={companies[0]}&Companies={companies[1]}&From={from:yyyy-MM-dd}&To={to:yyyy-MM-dd}&Tables=incidents&Closure=true&Closure=false";

        var page = await client.GetStringAsync(ExportForm.Path + query, Cancel);
        var response = await ExportForm.PostAsync(client,
            [new("Companies", $"{companies[0]},{companies[1]}"), new("From", $"{from:yyyy-MM-dd}"), new("To", $"{to:yyyy-MM-dd}"),
             new("Tables", "incidents"), new("Closure", "true")]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var file = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal(expected, Ids(file, "incidents"));
        // Closure brings the rows the incidents point to, and those tables are all the page counted.
        var counted = SegmentCountRow().Matches(page).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected.Count, counted["incidents"]);
        var inFile = file.RootElement.GetProperty("data").EnumerateObject().ToDictionary(t => t.Name, t => (long)t.Value.GetArrayLength());
        Assert.Equal(counted, inFile);
        Assert.Contains("companies", inFile.Keys);
    }

    [Fact]
    public async Task The_page_shows_the_stub_rows_beside_the_counts_and_the_file_holds_the_same()
    {
        using var db = app.OpenDatabase();
        var companies = db.Companies.Select(c => c.Id).AsEnumerable().ToList();
        var client = await ExportDownload.AdminAsync(app);
        var checkedStubs = 0L;
        foreach (var company in companies)
        {
            var page = await client.GetStringAsync($"{ExportForm.Path}?Companies={company}&Closure=true", Cancel);
            var shown = SegmentCountRow().Matches(page).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
            var total = long.Parse(StubTotal().Match(page).Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

            var response = await ExportForm.PostAsync(client, [new("Companies", company.ToString()), new("Format", "json")]);
            using var file = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(Cancel));
            var inFile = file.RootElement.GetProperty("metadata").GetProperty("segment").GetProperty("stubRows").EnumerateObject()
                .ToDictionary(t => t.Name, t => t.Value.GetInt64());
            Assert.Equal(inFile, shown);
            Assert.Equal(inFile.Values.Sum(), total);
            checkedStubs += total;
        }

        // The small demo set has cross-tenant references too: at least one company needed stubs.
        Assert.True(checkedStubs > 0, "no company segment showed a stub");
    }

    [Fact]
    public async Task The_de_identify_box_gives_a_file_named_deidentified_with_no_participant_name_in_it()
    {
        using var db = app.OpenDatabase();
        var names = db.Participants.Select(p => p.FirstName + " " + p.LastName).AsEnumerable().ToList();
        var site = db.Sites.OrderBy(s => s.Name).First().Id;

        var full = await ExportForm.PostAsync(await ExportDownload.AdminAsync(app), [new("Format", "json"), new("Deidentify", "true")]);
        var segment = await ExportForm.PostAsync(await ExportDownload.AdminAsync(app),
            [new("Format", "json"), new("Sites", site.ToString()), new("Deidentify", "true"), new("Deidentify", "false")]);

        Assert.Matches(@"^supportsignal-db-export-\d{4}-\d{2}-\d{2}-\d{4}-deidentified\.json$", ExportDownload.FileName(full));
        Assert.Matches(@"-segment-deidentified\.json$", ExportDownload.FileName(segment));
        foreach (var response in new[] { full, segment })
        {
            var text = await response.Content.ReadAsStringAsync(Cancel);
            using var file = JsonDocument.Parse(text);
            Assert.True(file.RootElement.GetProperty("metadata").GetProperty("sanitization").GetProperty("deidentified").GetBoolean());
            Assert.DoesNotContain(names, name => text.Contains(name, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task Both_forms_offer_de_identification_and_the_page_recommends_it_where_it_mentions_ai()
    {
        using var db = app.OpenDatabase();
        var client = await ExportDownload.AdminAsync(app);

        var page = await client.GetStringAsync($"{ExportForm.Path}?Companies={db.Companies.First().Id}", Cancel);
        var landing = await client.GetStringAsync("/admin", Cancel);

        Assert.Contains("id=\"deidentify-full\" name=\"Deidentify\"", page);
        Assert.Contains("id=\"deidentify-segment\" name=\"Deidentify\"", page);
        foreach (var html in new[] { page, landing })
        {
            var ai = html.IndexOf("AI tool", StringComparison.Ordinal);
            Assert.True(ai >= 0);
            Assert.Contains("recommended", html.Substring(ai, 200));
        }
    }

    public static TheoryData<string, string, string> BadInputs() => new()
    {
        { "Companies", Guid.NewGuid().ToString(), "company" },
        { "Sites", Guid.NewGuid().ToString(), "site" },
        { "From", "31/01/2026", "from" },
        { "To", "2026-02-30", "to" },
        { "Tables", "nonsense", "tables" },
        { "Companies", "' OR 1=1 --", "company" },
        { "Tables", "incidents\"; DROP TABLE users; --", "tables" },
        { "Sites", new string('a', 10_000), "site" },
        { "From", "2026-01-01\u001b[31m\u0085", "from" },
        { "Tables", "incidents\u0007", "tables" },
        { "Format", "json\r\nX-Injected: 1", "format" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_filter_input_gets_a_400_page_naming_the_field_and_a_rejected_audit_row(string field, string value, string named)
    {
        var client = await ExportDownload.AdminAsync(app);
        var before = ExportForm.AuditRows(app).Count(a => a.Outcome == ExportOutcome.Succeeded);

        var posted = await ExportForm.PostAsync(client, [new(field, value)]);
        var shown = await client.GetAsync($"{ExportForm.Path}?{field}={Uri.EscapeDataString(value)}", Cancel);

        // The format is a download option, not a filter: the page's GET ignores it.
        foreach (var response in field == "Format" ? [posted] : new[] { posted, shown })
        {
            var html = await response.Content.ReadAsStringAsync(Cancel);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Null(response.Content.Headers.ContentDisposition);
            Assert.Contains($"<code data-problem-field>{named}</code>", html);
            Assert.True(html.Length < 20_000, "the page quotes a bad value shortened, never whole");
        }

        var rows = ExportForm.AuditRows(app);
        Assert.Equal(before, rows.Count(a => a.Outcome == ExportOutcome.Succeeded));
        Assert.Equal(ExportOutcome.Rejected, rows[^1].Outcome);
        Assert.Equal($"bad_input:{named}", rows[^1].ErrorCode);
    }

    [Fact]
    public async Task A_nul_byte_is_refused_with_400_and_never_exports()
    {
        var client = await ExportDownload.AdminAsync(app);
        var before = ExportForm.AuditRows(app).Count(a => a.Outcome == ExportOutcome.Succeeded);

        // ASP.NET Core's form reader refuses the posted form itself, before the page sees a field.
        var posted = await ExportForm.PostAsync(client, [new("From", "2026-01-01\u0000")]);
        var shown = await client.GetAsync($"{ExportForm.Path}?From=2026-01-01%00", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Null(posted.Content.Headers.ContentDisposition);
        Assert.Equal(HttpStatusCode.BadRequest, shown.StatusCode);
        Assert.Contains("<code data-problem-field>from</code>", await shown.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(before, ExportForm.AuditRows(app).Count(a => a.Outcome == ExportOutcome.Succeeded));
    }

    [Fact]
    public async Task From_after_to_is_refused_naming_the_field()
    {
        var response = await ExportForm.PostAsync(await ExportDownload.AdminAsync(app), [new("From", "2026-03-01"), new("To", "2026-01-01")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("<code data-problem-field>from</code>", await response.Content.ReadAsStringAsync(Cancel));
        Assert.Equal("bad_input:from", ExportForm.AuditRows(app)[^1].ErrorCode);
    }

    private static HashSet<Guid> Ids(JsonDocument file, string table) =>
        file.RootElement.GetProperty("data").TryGetProperty(table, out var rows)
            ? rows.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToHashSet()
            : [];

    [GeneratedRegex("""<tr data-segment-table="([a-z_]+)" data-count="(\d+)" data-stubs="(\d+)">""")]
    private static partial Regex SegmentCountRow();

    [GeneratedRegex("""data-testid="segment-stub-records">([\d,]+)<""")]
    private static partial Regex StubTotal();
}

using System.Net;
using System.Text.RegularExpressions;

using SupportSignal.Data.Entities;
using SupportSignal.Export;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

public sealed partial class HistoryPageTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private const string HistoryPath = ExportForm.Path + "/history";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<AppRole> OtherRoles() => [.. Enum.GetValues<AppRole>().Where(r => r != AppRole.SystemAdmin)];

    [Theory]
    [MemberData(nameof(OtherRoles))]
    public async Task Every_other_role_gets_403(AppRole role)
    {
        var client = await app.SignInAsAsync(role);

        var response = await client.GetAsync(HistoryPath, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("data-audit-id", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in()
    {
        var response = await app.CreateBrowserlikeClient().GetAsync(HistoryPath, Cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/login?ReturnUrl=", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_history_is_paged_most_recent_first_and_the_export_page_shows_the_last_export()
    {
        var audit = new ExportAuditTrail(app.OpenDatabase);
        for (var i = 0; i < 45; i++)
        {
            await audit.RejectAsync(new ExportAttempt(null, ExportSource.Cli, new ExportRequest { Format = ExportFormat.Zip }, $"older-{i:00}"), "busy");
        }

        var client = await ExportDownload.AdminAsync(app);
        var download = await ExportForm.PostAsync(client, [new("Format", "json.gz"), new("Deidentify", "true"), new("Tables", "incidents")]);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        await download.Content.ReadAsByteArrayAsync(Cancel);
        var total = ExportForm.AuditRows(app).Count;

        var first = await client.GetStringAsync(HistoryPath, Cancel);
        var last = await client.GetStringAsync($"{HistoryPath}?p={(total + 19) / 20}", Cancel);
        var exportPage = await client.GetStringAsync(ExportForm.Path, Cancel);

        var firstRows = Row().Matches(first).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(20, firstRows.Count);
        Assert.Equal("succeeded", firstRows[0]);
        Assert.Contains("de-identified", exportPage[exportPage.IndexOf("data-last-outcome", StringComparison.Ordinal)..]);
        Assert.Contains(">Succeeded<", exportPage);
        Assert.Contains("&quot;incidents&quot;", first);
        Assert.Contains("admin@supportsignal.local", first);
        Assert.Contains($"({total} exports)", first);
        Assert.Equal(total - (20 * ((total - 1) / 20)), Row().Matches(last).Count);
        Assert.Contains("older-00", last);
        Assert.DoesNotContain("rel=\"next\"", last);
    }

    [Fact]
    public async Task A_row_the_audit_trail_writes_with_plain_commands_reads_back_on_the_history_page_as_it_was_written()
    {
        var audit = new ExportAuditTrail(app.OpenDatabase);
        var client = await ExportDownload.AdminAsync(app);
        Guid admin;
        await using (var db = app.OpenDatabase())
        {
            admin = db.Users.Single(u => u.Email == "admin@supportsignal.local").Id;
        }

        var request = new ExportRequest { Tables = ["sites", "incidents"], Format = ExportFormat.JsonGz, Deidentify = true };
        var id = await audit.StartAsync(new ExportAttempt(admin, ExportSource.Cli, request, "plain-commands"), Cancel);
        var started = RowOf(await client.GetStringAsync(HistoryPath, Cancel), id);
        Assert.Contains("data-outcome=\"started\"", started);

        var summary = new ExportSummary(new Dictionary<string, long> { ["sites"] = 40, ["incidents"] = 1_200 }, 1_240, 1_234_567, TimeSpan.FromMilliseconds(2_345));
        await audit.FinishAsync(id, ExportOutcome.Failed, summary, ExportErrorCodes.OutputNotWritable);
        var finished = RowOf(await client.GetStringAsync(HistoryPath, Cancel), id);

        Assert.Contains("data-outcome=\"failed\"", finished);
        Assert.Contains(">Failed</span> (output_not_writable)", finished);
        Assert.Contains("admin@supportsignal.local", finished);
        Assert.Contains("<td>Cli</td>", finished);
        Assert.Contains("<td>.json.gz</td>", finished);
        Assert.Contains("<td>yes</td>", finished);
        Assert.Contains(">1,240</td>", finished);
        Assert.Contains(">2.3 s</td>", finished);
        Assert.Contains("&quot;tables&quot;:[&quot;incidents&quot;,&quot;sites&quot;]", finished);
        Assert.Contains("<code>plain-commands</code>", finished);
        await using (var db = app.OpenDatabase())
        {
            var row = db.ExportAudits.Single(a => a.Id == id);
            Assert.Equal("""{"sites":40,"incidents":1200}""", row.RecordCounts);
            Assert.Equal(1_234_567, row.Bytes);
            Assert.Equal(admin, row.UserId);
        }
    }

    private static string RowOf(string page, Guid id)
    {
        var start = page.IndexOf($"data-audit-id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"the history page shows no row {id}");
        return page[start..page.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex("""data-audit-id="[^"]+" data-outcome="([a-z]+)">""")]
    private static partial Regex Row();
}

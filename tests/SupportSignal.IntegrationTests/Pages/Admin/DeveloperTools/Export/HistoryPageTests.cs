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

    [GeneratedRegex("""data-audit-id="[^"]+" data-outcome="([a-z]+)">""")]
    private static partial Regex Row();
}

using System.Globalization;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Mvc.Testing;

using SupportSignal.BrowserTests.Engines;
using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.BrowserTests.Pages.Admin.DeveloperTools.Export;

/// <summary>Chromium (Playwright over DevTools).</summary>
public sealed class ChromiumExportPageTests(BrowserFixture<ChromiumEngine> browser) : ExportPageTests<ChromiumEngine>(browser), IClassFixture<BrowserFixture<ChromiumEngine>>;

/// <summary>Firefox ESR, headless (Selenium's WebDriver BiDi client, no geckodriver).</summary>
public sealed class FirefoxExportPageTests(BrowserFixture<FirefoxEngine> browser) : ExportPageTests<FirefoxEngine>(browser), IClassFixture<BrowserFixture<FirefoxEngine>>;

/// <summary>WebKitGTK's MiniBrowser under Xvfb (WebKitWebDriver, Selenium's RemoteWebDriver).</summary>
public sealed class WebKitExportPageTests(BrowserFixture<WebKitEngine> browser) : ExportPageTests<WebKitEngine>(browser), IClassFixture<BrowserFixture<WebKitEngine>>;

/// <summary>
/// The export page as an administrator uses it, written once and run by every engine (the sealed
/// classes above). Where an engine cannot report a download, the file checked is the response the
/// click produced (<see cref="DownloadedFile.Source"/>).
/// </summary>
public abstract partial class ExportPageTests<TEngine>(BrowserFixture<TEngine> browser)
    where TEngine : IBrowserEngine, new()
{
    protected const string PagePath = "/admin/developer-tools/export";
    private const string FullExportButton = "#export-button";
    private const string Loading = "#export-loading";

    protected BrowserFixture<TEngine> Browser => browser;

    [Fact]
    public async Task The_admin_signs_in_sees_the_counts_and_chart_and_downloads_the_whole_database()
    {
        await using var tab = await browser.NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        Assert.Equal(PagePath, await tab.PathAsync());

        var shown = await ShownCountsAsync(tab);
        Assert.Equal(await ExportFiles.DatabaseCountsAsync(browser.App, shown.Keys, Cancel), shown);
        Assert.Equal(shown.Count, await tab.CountAsync("table.counts svg.bar"));
        Assert.True(await tab.IsVisibleAsync("table.counts svg.bar"));
        Assert.False(await tab.IsVisibleAsync(Loading));
        await tab.ScreenshotAsync("export-page");

        // Hold the export request until the page has shown that it is working on it.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        browser.Responses.HoldNext = release;
        var downloading = tab.ClickForDownloadAsync(FullExportButton);
        await tab.WaitForAsync(Loading);
        Assert.True(await tab.IsDisabledAsync(FullExportButton));
        release.SetResult();
        var download = await downloading;

        Assert.False(download.Failed, $"the download failed in {tab.Engine}");
        Assert.Matches(FileName("json"), download.FileName);
        var contents = ExportFiles.Read(download.Contents!, "json");
        AssertSameCounts(shown, contents.RecordCounts);
        Assert.Equal(contents.RecordCounts, contents.RowsPerTable);

        // The script noticed the download start: spinner gone, button back, a toast with the figures.
        await tab.WaitForAsync("[data-toast=success]");
        var toast = await tab.TextAsync("[data-toast=success]");
        Assert.Contains("Download started", toast);
        Assert.Contains($"{shown.Values.Sum():N0} records", toast);
        Assert.False(await tab.IsVisibleAsync(Loading));
        Assert.False(await tab.IsDisabledAsync(FullExportButton));
        Assert.Equal(PagePath, await tab.PathAsync());
        await tab.ScreenshotAsync("export-page-download-started");

        // The page's script and styles live within the content security policy: no violations.
        Assert.True(tab.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, tab.ConsoleErrors));
    }

    [Fact]
    public async Task A_refused_export_shows_an_error_toast_that_names_the_problem()
    {
        await using var tab = await browser.NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);

        // A value the page never offers, as a tampered or stale form would send.
        await tab.EvaluateAsync<bool>("(document.querySelector('#format-json').value = 'xml') === 'xml'");
        await tab.ClickAsync(FullExportButton);

        await tab.WaitForAsync("[data-toast=error]");
        Assert.Contains("Unknown format 'xml'", await tab.TextAsync("[data-toast=error]"));
        Assert.False(await tab.IsVisibleAsync(Loading));
        Assert.Equal(PagePath, await tab.PathAsync());
    }

    [Fact]
    public async Task A_failure_before_the_download_starts_shows_an_error_toast_with_a_reference()
    {
        await using var tab = await browser.NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);

        string? text;
        browser.App.Faults.FailDatabaseOpen = true;
        try
        {
            await tab.ClickAsync(FullExportButton);
            await tab.WaitForAsync("[data-toast=error]");
            text = await tab.TextAsync("[data-toast=error]");
        }
        finally
        {
            browser.App.Faults.FailDatabaseOpen = false;
        }

        Assert.Contains("Nothing was downloaded", text);
        Assert.Matches("Reference: [0-9a-f]{32}", text);
        Assert.DoesNotContain("secret-path", text);
        Assert.False(await tab.IsVisibleAsync(Loading));
    }

    [Fact]
    public async Task The_admin_picks_a_company_sees_its_counts_refresh_and_downloads_a_de_identified_segment()
    {
        await using var tab = await browser.NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);

        // The counts follow the filters without a page load (the script swaps in the server's rendering).
        var (company, incidents) = await ChooseCompanyIncidentsAsync(tab);
        Assert.Equal(incidents.ToString(CultureInfo.InvariantCulture),
            await tab.EvaluateAsync<string>("document.querySelector('tr[data-segment-table=incidents]').dataset.count"));
        await tab.ClickAsync("#deidentify-segment");
        await tab.ScreenshotAsync("export-page-segment");
        Assert.True(await tab.EvaluateAsync<bool>("document.querySelector('#deidentify-segment').checked"));

        var download = await tab.ClickForDownloadAsync("#segment-button");

        Assert.False(download.Failed, $"the download failed in {tab.Engine}");
        Assert.Matches(@"^supportsignal-db-export-\d{4}-\d{2}-\d{2}-\d{4}-segment-deidentified\.json$", download.FileName);
        var contents = ExportFiles.Read(download.Contents!, "json");
        Assert.Equal(incidents, contents.RowsPerTable["incidents"]);
        Assert.Equal([company.ToString()], Filters(download.Contents!).Companies);
        await tab.WaitForAsync("[data-toast=success]");
    }

    [Fact]
    public async Task An_older_segment_refresh_answered_late_does_not_replace_the_newer_one()
    {
        await using var tab = await browser.NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        using var db = browser.App.OpenDatabase();
        var company = db.Companies.OrderBy(c => c.Name).First();

        // The company alone: its refresh is held at the server.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        browser.Responses.HoldNextRefresh = release;
        await tab.SelectAsync("#filter-companies", company.Id.ToString());
        await Poll.UntilAsync(() => browser.Responses.HoldNextRefresh is null, "the company's refresh to reach the server");

        // Then the incidents table too: that refresh is answered and shown first.
        await tab.ClickAsync("#table-incidents");
        await tab.WaitUntilAsync(
            "document.querySelector('[data-testid=segment-filters]')?.innerText.includes('\"tables\":[\"incidents\"]')", "the newer refresh to show");
        const string Shown = "document.querySelector('[data-segment-result]').innerText";
        var newer = await tab.EvaluateAsync<string>(Shown);

        // The older answer arrives last and must not put back counts for filters no longer chosen.
        release.SetResult();
        await tab.WaitUntilAsync("document.querySelector('[data-segment-filters]').dataset.refreshesAnswered >= 2", "the older refresh's answer to be handled");
        Assert.True(newer == await tab.EvaluateAsync<string>(Shown), $"{tab.Engine} showed the older refresh's segment over the newer one");
    }

    [Fact]
    public async Task Copy_JSON_puts_the_de_identified_segment_on_the_clipboard_and_the_history_records_it()
    {
        var (tab, company, incidents) = await OpenSegmentAsync(formatRadio: null);
        await using var _ = tab;
        var responsesBefore = browser.Responses.Count;

        await tab.ClickAsync("#copy-json-button");

        await tab.WaitForAsync("[data-toast=success]");
        var toast = await tab.TextAsync("[data-toast=success]");
        Assert.Contains("Copied to the clipboard", toast);
        Assert.Matches(@"\d+(\.\d)? KB of JSON", toast);
        Assert.Contains("de-identified", toast);
        await tab.ScreenshotAsync("export-page-copied");

        // What the browser holds is what the server sent for the click: the de-identified segment.
        var sent = await browser.Responses.WaitForAsync(responsesBefore);
        Assert.Equal(200, sent.Status);
        Assert.Null(sent.FileName);
        var copied = tab.Abilities.ReadsClipboard ? await tab.ReadClipboardAsync() : System.Text.Encoding.UTF8.GetString(sent.Body);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(sent.Body), copied);
        var contents = ExportFiles.Read(System.Text.Encoding.UTF8.GetBytes(copied), "json");
        Assert.Equal(incidents, contents.RowsPerTable["incidents"]);
        var (companies, deidentified) = Filters(sent.Body);
        Assert.Equal([company.ToString()], companies);
        Assert.True(deidentified);
        Assert.Contains(SizeOf(sent.Body.Length), toast);

        // Audited like a download: who, what, de-identified, how it ended.
        var row = ExportForm.AuditRows(browser.App).OrderByDescending(a => a.StartedAt).First(a => a.Source == ExportSource.Clipboard);
        Assert.Equal(ExportOutcome.Succeeded, row.Outcome);
        Assert.True(row.Deidentified);
        Assert.Equal(sent.Body.Length, row.Bytes);
        Assert.Contains(company.ToString(), row.Filters);
    }

    [Fact]
    public async Task Copy_JSON_is_disabled_with_the_reason_when_the_segment_is_too_large_for_the_clipboard()
    {
        await using var tab = await browser.NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        using var db = browser.App.OpenDatabase();
        var company = db.Companies.OrderBy(c => c.Name).First();

        // Every table of one company: about 600 KB, above this app's clipboard limit (200 KB).
        await tab.SelectAsync("#filter-companies", company.Id.ToString());
        await tab.WaitForAsync("#copy-json-button");

        Assert.True(await tab.IsDisabledAsync("#copy-json-button"));
        Assert.Contains("Too large for the clipboard", await tab.TextAsync("[data-copy-note]"));
        Assert.Contains("at most 200.0 KB", await tab.TextAsync("[data-copy-note]"));
        Assert.Equal("copy-json-note", await tab.EvaluateAsync<string>("document.querySelector('#copy-json-button').getAttribute('aria-describedby')"));
        Assert.False(await tab.IsDisabledAsync("#segment-button"));
    }

    [Fact]
    public async Task Copy_command_gives_the_supportsignal_export_line_for_the_chosen_filters()
    {
        var (tab, company, _) = await OpenSegmentAsync("#segment-format-zip");
        await using var _ = tab;
        var audited = ExportForm.AuditRows(browser.App).Count;

        await tab.ClickAsync("#copy-command-button");

        await tab.WaitForAsync("[data-toast=success]");
        var expected = $"supportsignal export --company {company} --tables incidents --format zip --deidentify";
        Assert.Contains(expected, await tab.TextAsync("[data-toast=success]"));
        if (tab.Abilities.ReadsClipboard)
        {
            Assert.Equal(expected, await tab.ReadClipboardAsync());
        }

        Assert.Equal(audited, ExportForm.AuditRows(browser.App).Count);
    }

    [Fact]
    public async Task Run_again_opens_the_export_page_with_that_exports_filters_and_downloads_nothing()
    {
        var (tab, company, incidents) = await OpenSegmentAsync("#segment-format-jsongz");
        await using var _ = tab;
        var responses = browser.Responses.Count;
        var download = await tab.ClickForDownloadAsync("#segment-button");
        Assert.EndsWith("-segment-deidentified.json.gz", download.FileName);
        await browser.Responses.WaitForAsync(responses++);
        var audited = ExportForm.AuditRows(browser.App).Count;

        await tab.GoToAsync(PagePath + "/history");
        await tab.ClickAsync("tr[data-audit-id] [data-run-again]");
        await tab.WaitUntilAsync($"location.pathname === {BrowserTabs.Js(PagePath)} && document.readyState === 'complete'", "the export page to open");

        Assert.Equal([company.ToString()], await tab.EvaluateAsync<string[]>("[...document.querySelector('#filter-companies').selectedOptions].map(o => o.value)"));
        Assert.True(await tab.EvaluateAsync<bool>("document.querySelector('#table-incidents').checked"));
        Assert.True(await tab.EvaluateAsync<bool>("document.querySelector('#filter-closure').checked"));
        Assert.Equal(incidents.ToString(CultureInfo.InvariantCulture),
            await tab.EvaluateAsync<string>("document.querySelector('tr[data-segment-table=incidents]').dataset.count"));
        Assert.True(await tab.EvaluateAsync<bool>("document.querySelector('#segment-format-jsongz').checked"));
        Assert.True(await tab.EvaluateAsync<bool>("document.querySelector('#deidentify-segment').checked"));
        await tab.ScreenshotAsync("export-page-run-again");

        // Opening it started nothing: no export request, no audit row.
        Assert.Equal(responses, browser.Responses.Count);
        Assert.Equal(audited, ExportForm.AuditRows(browser.App).Count);
    }

    [Fact]
    public async Task While_the_admins_other_export_runs_a_second_one_gets_a_toast_saying_so()
    {
        await using var tab = await browser.NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        // The same admin, signed in elsewhere, with a download under way.
        var elsewhere = browser.App.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = browser.BaseAddress,
            AllowAutoRedirect = false,
            HandleCookies = true,
        });
        await elsewhere.PostLoginAsync(DevelopmentAccounts.EmailFor(AppRole.SystemAdmin), TestDatabase.Password);
        var token = await elsewhere.GetAntiforgeryTokenAsync("/account/login");
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        browser.App.Faults.HoldNextAfterFirstWrite = hold;
        using var running = await ExportForm.PostAsync(elsewhere, [new("Format", "json")], HttpCompletionOption.ResponseHeadersRead, token: token, cancellationToken: Cancel);
        Assert.Equal(System.Net.HttpStatusCode.OK, running.StatusCode);

        await tab.ClickAsync(FullExportButton);

        await tab.WaitForAsync("[data-toast=error]");
        Assert.Contains("Another export is running", await tab.TextAsync("[data-toast=error]"));
        Assert.False(await tab.IsVisibleAsync(Loading));
        hold.SetResult();
        await running.Content.ReadAsByteArrayAsync(Cancel);
    }

    [Fact]
    public async Task A_team_lead_gets_the_403_page()
    {
        await using var tab = await browser.NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.TeamLead);

        var status = await tab.GoToAsync(PagePath);

        if (status is not null)
        {
            Assert.Equal(403, status);
        }

        Assert.Equal("403", await tab.TextAsync(".status-code"));
        Assert.Equal("Access denied", await tab.TextAsync("h1"));
        Assert.Equal(0, await tab.CountAsync("table.counts"));
    }

    /// <summary>A signed-in tab on the segment form: the first company's incidents, a format and de-identification chosen.</summary>
    private async Task<(IBrowserTab Tab, Guid Company, int Incidents)> OpenSegmentAsync(string? formatRadio)
    {
        var tab = await browser.NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        var (company, incidents) = await ChooseCompanyIncidentsAsync(tab);
        if (formatRadio is not null)
        {
            await tab.ClickAsync(formatRadio);
        }

        await tab.ClickAsync("#deidentify-segment");
        return (tab, company, incidents);
    }

    /// <summary>Picks the first company and the incidents table on the segment form; waits for the counts.</summary>
    private async Task<(Guid Company, int Incidents)> ChooseCompanyIncidentsAsync(IBrowserTab tab)
    {
        using var db = browser.App.OpenDatabase();
        var company = db.Companies.OrderBy(c => c.Name).First();
        var incidents = db.Incidents.Count(i => i.CompanyId == company.Id);
        await tab.SelectAsync("#filter-companies", company.Id.ToString());
        await tab.ClickAsync("#table-incidents");
        // Each change refreshes the counts; wait for the refresh that knows both filters.
        await tab.WaitUntilAsync(
            "document.querySelector('[data-testid=segment-filters]')?.innerText.includes('\"tables\":[\"incidents\"]')", "the segment's counts to refresh");
        return (company.Id, incidents);
    }

    private static string SizeOf(long bytes) => SupportSignal.Web.Pages.Admin.DeveloperTools.Export.SizeText.Of(bytes);

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    internal static Regex FileNameFor(string extension) => FileName(extension);

    internal static void AssertSameCountsFor(Dictionary<string, long> shown, Dictionary<string, long> exported) => AssertSameCounts(shown, exported);

    internal static Task<Dictionary<string, long>> ShownCountsForAsync(IBrowserTab tab) => ShownCountsAsync(tab);

    protected static Regex FileName(string extension) =>
        new($@"^supportsignal-db-export-\d{{4}}-\d{{2}}-\d{{2}}-\d{{4}}\.{Regex.Escape(extension)}$");

    /// <summary>
    /// The file holds what the page counted, except that export_audit has grown: every export
    /// records itself (as started) before it reads its snapshot, and earlier tests exported too.
    /// </summary>
    protected static void AssertSameCounts(Dictionary<string, long> shown, Dictionary<string, long> exported)
    {
        Assert.Equal(shown.Where(c => c.Key != Audit), exported.Where(c => c.Key != Audit));
        Assert.True(exported[Audit] > shown[Audit], "the export's own audit row is in the export");
    }

    private const string Audit = "export_audit";

    protected static async Task<Dictionary<string, long>> ShownCountsAsync(IBrowserTab tab)
    {
        var rows = await tab.EvaluateAsync<string[][]>(
            "[...document.querySelectorAll('table.counts tbody tr')].map(r => [r.querySelector('th code').innerText, r.querySelector('td.num').innerText])");
        var counts = rows.ToDictionary(r => r[0], r => long.Parse(r[1].Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture));
        Assert.NotEmpty(counts);
        return counts;
    }

    /// <summary>The filters a JSON export's metadata says it applied.</summary>
    protected static (string[] Companies, bool Deidentified) Filters(byte[] json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var metadata = document.RootElement.GetProperty("metadata");
        var companies = metadata.GetProperty("filtersApplied").TryGetProperty("companies", out var ids)
            ? ids.EnumerateArray().Select(i => i.GetString()!).ToArray()
            : [];
        return (companies, metadata.GetProperty("sanitization").GetProperty("deidentified").GetBoolean());
    }
}

using System.Text.RegularExpressions;

using Microsoft.Playwright;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;

namespace SupportSignal.BrowserTests.Pages.Admin.DeveloperTools.Export;

public sealed partial class ExportPageBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string PagePath = "/admin/developer-tools/export";

    [Fact]
    public async Task The_admin_signs_in_sees_the_counts_and_chart_and_downloads_the_whole_database()
    {
        await using var context = await browser.NewContextAsync();
        var consoleErrors = new List<string>();
        context.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        var page = await context.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        Assert.Equal(PagePath, new Uri(page.Url).AbsolutePath);

        var shown = await ShownCountsAsync(page);
        Assert.Equal(await ExportFiles.DatabaseCountsAsync(browser.App, shown.Keys, Cancel), shown);
        Assert.Equal(shown.Count, await page.Locator("table.counts svg.bar").CountAsync());
        Assert.True(await page.Locator("table.counts svg.bar").First.IsVisibleAsync());
        Assert.True(await page.Locator("#export-loading").IsHiddenAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Caret = ScreenshotCaret.Initial, Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "export-page.png"), FullPage = true });

        // Hold the export request until the page has shown that it is working on it.
        var release = new TaskCompletionSource();
        await page.RouteAsync("**" + PagePath, async route =>
        {
            if (route.Request.Method == "POST")
            {
                await release.Task;
            }

            await route.ContinueAsync();
        });
        var downloading = page.WaitForDownloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Export Full Database" }).ClickAsync();
        await page.Locator("#export-loading").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Export Full Database" }).IsDisabledAsync());
        release.SetResult();
        var download = await downloading;

        Assert.Matches(FileName("json"), download.SuggestedFilename);
        var contents = ExportFiles.Read(await SaveAsync(download), "json");
        AssertSameCounts(shown, contents.RecordCounts);
        Assert.Equal(contents.RecordCounts, contents.RowsPerTable);

        // The script noticed the download start: spinner gone, button back, a toast with the figures.
        var toast = page.Locator("[data-toast=success]");
        await toast.WaitForAsync();
        Assert.Contains("Download started", await toast.InnerTextAsync());
        Assert.Contains($"{shown.Values.Sum():N0} records", await toast.InnerTextAsync());
        Assert.True(await page.Locator("#export-loading").IsHiddenAsync());
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Export Full Database" }).IsEnabledAsync());
        Assert.Equal(PagePath, new Uri(page.Url).AbsolutePath);
        await page.ScreenshotAsync(new PageScreenshotOptions { Caret = ScreenshotCaret.Initial, Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "export-page-download-started.png") });

        // The page's script and styles live within the content security policy: no violations.
        Assert.True(consoleErrors.Count == 0, string.Join(Environment.NewLine, consoleErrors));
    }

    [Fact]
    public async Task Without_javascript_the_plain_form_downloads_the_chosen_format()
    {
        await using var context = await browser.NewContextAsync(javaScriptEnabled: false);
        var page = await context.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        var shown = await ShownCountsAsync(page);

        // By id: the label ".zip" is also the end of ".parquet.zip".
        await page.Locator("#format-zip").CheckAsync();
        var download = await page.RunAndWaitForDownloadAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Export Full Database" }).ClickAsync());

        Assert.Matches(FileName("zip"), download.SuggestedFilename);
        Assert.Null(await download.FailureAsync());
        var contents = ExportFiles.Read(await SaveAsync(download), "zip");
        AssertSameCounts(shown, contents.RecordCounts);
        Assert.Equal(contents.RecordCounts, contents.RowsPerTable);
    }

    [Fact]
    public async Task A_refused_export_shows_an_error_toast_that_names_the_problem()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);

        // A value the page never offers, as a tampered or stale form would send.
        await page.Locator("#format-json").EvaluateAsync("radio => radio.value = 'xml'");
        await page.GetByRole(AriaRole.Button, new() { Name = "Export Full Database" }).ClickAsync();

        var toast = page.Locator("[data-toast=error]");
        await toast.WaitForAsync();
        Assert.Contains("Unknown format 'xml'", await toast.InnerTextAsync());
        Assert.True(await page.Locator("#export-loading").IsHiddenAsync());
        Assert.Equal(PagePath, new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task A_failure_before_the_download_starts_shows_an_error_toast_with_a_reference()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);

        string text;
        browser.App.Faults.FailDatabaseOpen = true;
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Export Full Database" }).ClickAsync();
            var toast = page.Locator("[data-toast=error]");
            await toast.WaitForAsync();
            text = await toast.InnerTextAsync();
        }
        finally
        {
            browser.App.Faults.FailDatabaseOpen = false;
        }

        Assert.Contains("Nothing was downloaded", text);
        Assert.Matches("Reference: [0-9a-f]{32}", text);
        Assert.DoesNotContain("secret-path", text);
        Assert.True(await page.Locator("#export-loading").IsHiddenAsync());
    }

    [Fact]
    public async Task A_failure_midway_leaves_a_failed_download_not_a_truncated_file()
    {
        await using var context = await browser.NewContextAsync(javaScriptEnabled: false);
        var page = await context.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);

        IDownload download;
        browser.App.Faults.FailAfterFirstWrite = true;
        try
        {
            download = await page.RunAndWaitForDownloadAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Export Full Database" }).ClickAsync());
            Assert.NotNull(await download.FailureAsync());
        }
        finally
        {
            browser.App.Faults.FailAfterFirstWrite = false;
        }

        Assert.Matches(FileName("json"), download.SuggestedFilename);
    }

    [Fact]
    public async Task The_admin_picks_a_company_sees_its_counts_refresh_and_downloads_a_de_identified_segment()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        using var db = browser.App.OpenDatabase();
        var company = db.Companies.OrderBy(c => c.Name).First();
        var incidents = db.Incidents.Count(i => i.CompanyId == company.Id);

        // The counts follow the filters without a page load (the script swaps in the server's rendering).
        await page.Locator("#filter-companies").SelectOptionAsync(new SelectOptionValue { Label = company.Name });
        await page.Locator("#table-incidents").CheckAsync();
        await page.Locator("tr[data-segment-table=incidents]").WaitForAsync();
        Assert.Equal(incidents.ToString(System.Globalization.CultureInfo.InvariantCulture),
            await page.Locator("tr[data-segment-table=incidents]").GetAttributeAsync("data-count"));
        await page.Locator("#deidentify-segment").CheckAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Caret = ScreenshotCaret.Initial, Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "export-page-segment.png"), FullPage = true });

        var download = await page.RunAndWaitForDownloadAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Export segment" }).ClickAsync());

        Assert.Matches(@"^supportsignal-db-export-\d{4}-\d{2}-\d{2}-\d{4}-segment-deidentified\.json$", download.SuggestedFilename);
        var contents = ExportFiles.Read(await SaveAsync(download), "json");
        Assert.Equal(incidents, contents.RowsPerTable["incidents"]);
        await page.Locator("[data-toast=success]").WaitForAsync();
    }

    [Fact]
    public async Task While_the_admins_other_export_runs_a_second_one_gets_a_toast_saying_so()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        // The same admin, signed in elsewhere, with a download under way.
        var elsewhere = browser.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = browser.BaseAddress,
            AllowAutoRedirect = false,
            HandleCookies = true,
        });
        await elsewhere.PostLoginAsync(SupportSignal.Web.Infrastructure.DevelopmentAccounts.EmailFor(AppRole.SystemAdmin), TestDatabase.Password);
        var token = await elsewhere.GetAntiforgeryTokenAsync("/account/login");
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        browser.App.Faults.HoldNextAfterFirstWrite = hold;
        using var running = await ExportForm.PostAsync(elsewhere, [new("Format", "json")], HttpCompletionOption.ResponseHeadersRead, token: token, cancellationToken: Cancel);
        Assert.Equal(System.Net.HttpStatusCode.OK, running.StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Export Full Database" }).ClickAsync();

        var toast = page.Locator("[data-toast=error]");
        await toast.WaitForAsync();
        Assert.Contains("Another export is running", await toast.InnerTextAsync());
        Assert.True(await page.Locator("#export-loading").IsHiddenAsync());
        hold.SetResult();
        await running.Content.ReadAsByteArrayAsync(Cancel);
    }

    [Fact]
    public async Task A_team_lead_gets_the_403_page()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.OpenSignedInAsync(PagePath, AppRole.TeamLead);

        var response = await page.GotoAsync(PagePath);

        Assert.Equal(403, response!.Status);
        Assert.Equal("Access denied", await page.Locator("h1").InnerTextAsync());
        Assert.Equal(0, await page.Locator("table.counts").CountAsync());
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Regex FileName(string extension) =>
        new($@"^supportsignal-db-export-\d{{4}}-\d{{2}}-\d{{2}}-\d{{4}}\.{Regex.Escape(extension)}$");

    /// <summary>
    /// The file holds what the page counted, except that export_audit has grown: every export
    /// records itself (as started) before it reads its snapshot, and earlier tests exported too.
    /// </summary>
    private static void AssertSameCounts(Dictionary<string, long> shown, Dictionary<string, long> exported)
    {
        Assert.Equal(shown.Where(c => c.Key != Audit), exported.Where(c => c.Key != Audit));
        Assert.True(exported[Audit] > shown[Audit], "the export's own audit row is in the export");
    }

    private const string Audit = "export_audit";

    private static async Task<Dictionary<string, long>> ShownCountsAsync(IPage page)
    {
        var counts = new Dictionary<string, long>();
        foreach (var row in await page.Locator("table.counts tbody tr").AllAsync())
        {
            var table = await row.Locator("th code").InnerTextAsync();
            var count = await row.Locator("td.num").InnerTextAsync();
            counts[table] = long.Parse(count.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.NotEmpty(counts);
        return counts;
    }

    private static async Task<byte[]> SaveAsync(IDownload download)
    {
        var path = Path.Combine(BrowserFixture.ArtifactsDirectory, download.SuggestedFilename);
        await download.SaveAsAsync(path);
        return await File.ReadAllBytesAsync(path, Cancel);
    }
}

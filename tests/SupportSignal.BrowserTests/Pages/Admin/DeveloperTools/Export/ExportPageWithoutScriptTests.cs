using Microsoft.Playwright;

using SupportSignal.BrowserTests.Engines;
using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;

namespace SupportSignal.BrowserTests.Pages.Admin.DeveloperTools.Export;

/// <summary>
/// The page with JavaScript switched off: the plain form still downloads. Only Playwright can turn a
/// context's scripting off and report a download the browser abandoned, so these run in Chromium.
/// </summary>
public sealed class ExportPageWithoutScriptTests(BrowserFixture<ChromiumEngine> browser) : IClassFixture<BrowserFixture<ChromiumEngine>>
{
    private const string PagePath = "/admin/developer-tools/export";

    [Fact]
    public async Task Without_javascript_the_plain_form_downloads_the_chosen_format()
    {
        await using var tab = await NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);
        var shown = await ExportPageTests<ChromiumEngine>.ShownCountsForAsync(tab);

        // By id: the label ".zip" is also the end of ".parquet.zip".
        await tab.Page.Locator("#format-zip").CheckAsync();
        var download = await tab.ClickForDownloadAsync("#export-button");

        Assert.Matches(ExportPageTests<ChromiumEngine>.FileNameFor("zip"), download.FileName);
        Assert.False(download.Failed);
        var contents = ExportFiles.Read(download.Contents!, "zip");
        ExportPageTests<ChromiumEngine>.AssertSameCountsFor(shown, contents.RecordCounts);
        Assert.Equal(contents.RecordCounts, contents.RowsPerTable);
    }

    [Fact]
    public async Task A_failure_midway_leaves_a_failed_download_not_a_truncated_file()
    {
        await using var tab = await NewTabAsync();
        await tab.OpenSignedInAsync(PagePath, AppRole.SystemAdmin);

        DownloadedFile download;
        browser.App.Faults.FailAfterFirstWrite = true;
        try
        {
            download = await tab.ClickForDownloadAsync("#export-button");
        }
        finally
        {
            browser.App.Faults.FailAfterFirstWrite = false;
        }

        Assert.True(download.Failed, "the browser kept a truncated file as if it were whole");
        Assert.Null(download.Contents);
        Assert.Matches(ExportPageTests<ChromiumEngine>.FileNameFor("json"), download.FileName);
    }

    private async Task<ChromiumTab> NewTabAsync()
    {
        browser.RequireEngine();
        return await browser.Engine.NewPlaywrightTabAsync(browser.BaseAddress, javaScriptEnabled: false);
    }
}

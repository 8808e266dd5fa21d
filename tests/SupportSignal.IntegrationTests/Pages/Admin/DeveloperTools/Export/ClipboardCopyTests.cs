using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

using SupportSignal.Data.Entities;
using SupportSignal.Export;
using SupportSignal.TestSupport;
using SupportSignal.Web.Pages.Admin.DeveloperTools.Export;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

/// <summary>The app with a clipboard limit of 100 KB: one company's incidents fit, the whole company does not.</summary>
public sealed class SmallClipboardApp : SupportSignalAppFactory
{
    public const long Limit = 100 * 1024;

    public SmallClipboardApp() => WithSetting(ClipboardLimit.MaxBytesKey, Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>"Copy JSON" (the page's POST ?handler=copy) and "Run again", over real HTTP.</summary>
public sealed partial class ClipboardCopyTests(SmallClipboardApp app) : IClassFixture<SmallClipboardApp>
{
    private const string Copy = "?handler=copy";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_copy_answers_with_the_segments_document_not_a_download_and_is_audited_as_a_clipboard_export()
    {
        var company = FirstCompany();
        var client = await ExportDownload.AdminAsync(app);

        // The form's format is whatever the radio says; a copy is always JSON.
        var response = await ExportForm.PostAsync(client,
            [new("Companies", company.ToString()), new("Tables", "incidents"), new("Deidentify", "true"), new("Format", "zip")], query: Copy);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentDisposition);
        var body = await response.Content.ReadAsByteArrayAsync(Cancel);
        Assert.Equal(SizeText.Of(body.Length), response.Headers.GetValues(ClipboardTarget.SizeHeader).Single());
        using var document = JsonDocument.Parse(body);
        var metadata = document.RootElement.GetProperty("metadata");
        Assert.True(metadata.GetProperty("sanitization").GetProperty("deidentified").GetBoolean());
        Assert.Equal(Incidents(company), document.RootElement.GetProperty("data").GetProperty("incidents").GetArrayLength());

        var row = ExportForm.AuditRows(app).Last();
        Assert.Equal((ExportSource.Clipboard, ExportOutcome.Succeeded, "json", true, (long?)body.Length), (row.Source, row.Outcome, row.Format, row.Deidentified, row.Bytes));
        Assert.Contains(company.ToString(), row.Filters);
    }

    [Fact]
    public async Task A_copy_above_the_limit_is_refused_with_413_and_the_refusal_is_audited()
    {
        var client = await ExportDownload.AdminAsync(app);
        var before = ExportForm.AuditRows(app).Count;

        var response = await ExportForm.PostAsync(client, [new("Companies", FirstCompany().ToString())], query: Copy);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("Too large for the clipboard", page);
        Assert.Contains("at most 100.0 KB", page);
        var rows = ExportForm.AuditRows(app);
        Assert.Equal(before + 1, rows.Count);
        Assert.Equal((ExportSource.Clipboard, ExportOutcome.Rejected, ExportErrorCodes.TooLargeForClipboard), (rows[^1].Source, rows[^1].Outcome, rows[^1].ErrorCode));
    }

    [Fact]
    public async Task A_copy_with_a_bad_filter_is_a_400_naming_it()
    {
        var client = await ExportDownload.AdminAsync(app);

        var response = await ExportForm.PostAsync(client, [new("Companies", "not-an-id")], query: Copy);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a valid id", await response.Content.ReadAsStringAsync(Cancel));
        Assert.Equal((ExportSource.Clipboard, "bad_input:company"), (ExportForm.AuditRows(app)[^1].Source, ExportForm.AuditRows(app)[^1].ErrorCode));
    }

    [Fact]
    public async Task The_segment_form_disables_copy_json_above_the_limit_and_gives_the_reason()
    {
        var client = await ExportDownload.AdminAsync(app);
        var company = FirstCompany();

        var small = await client.GetStringAsync($"{ExportForm.Path}?Companies={company}&Tables=incidents", Cancel);
        var large = await client.GetStringAsync($"{ExportForm.Path}?Companies={company}", Cancel);

        Assert.DoesNotMatch(CopyButtonDisabled(), small);
        Assert.Matches(CopyButtonDisabled(), large);
        Assert.Contains("Too large for the clipboard", large);
        Assert.Contains($"supportsignal export --company {company} --tables incidents --format zip", WebUtility.HtmlDecode(small));
    }

    [Fact]
    public async Task Run_again_links_to_the_export_page_with_the_rows_filters_format_and_de_identification()
    {
        var client = await ExportDownload.AdminAsync(app);
        var company = FirstCompany();
        var download = await ExportForm.PostAsync(client,
            [new("Companies", company.ToString()), new("Tables", "incidents"), new("Closure", "false"), new("Format", "json.gz"), new("Deidentify", "true")]);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        await ExportForm.WaitUntilNoExportRunsAsync(app);
        var audited = ExportForm.AuditRows(app).Count;

        var history = await client.GetStringAsync(ExportForm.Path + "/history", Cancel);
        var link = WebUtility.HtmlDecode(RunAgain().Match(history).Groups[1].Value);
        var page = await client.GetAsync(link, Cancel);
        var html = await page.Content.ReadAsStringAsync(Cancel);

        Assert.Equal($"{ExportForm.Path}?Companies={company}&Tables=incidents&Closure=false&Format=json.gz&Deidentify=true#segment", link);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Matches($"<option value=\"{company}\" selected=\"selected\">", html);
        Assert.Matches("id=\"segment-format-jsongz\"[^>]*checked=\"checked\"", html);
        Assert.Matches("id=\"deidentify-segment\"[^>]*checked=\"checked\"", html);
        Assert.Matches("id=\"table-incidents\"[^>]*checked=\"checked\"", html);
        Assert.Equal(audited, ExportForm.AuditRows(app).Count);
    }

    private Guid FirstCompany()
    {
        using var db = app.OpenDatabase();
        return db.Companies.OrderBy(c => c.Name).First().Id;
    }

    private int Incidents(Guid company)
    {
        using var db = app.OpenDatabase();
        return db.Incidents.Count(i => i.CompanyId == company);
    }

    [GeneratedRegex("""id="copy-json-button"[^>]*disabled="disabled""")]
    private static partial Regex CopyButtonDisabled();

    [GeneratedRegex("""href="([^"]+)" data-run-again""")]
    private static partial Regex RunAgain();
}

/// <summary>The clipboard buffer itself: a document that outgrows its estimate stops at the limit, and nothing reaches the browser.</summary>
public sealed class ClipboardTargetTests
{
    [Fact]
    public async Task Writing_past_the_limit_fails_before_anything_is_sent()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        var target = new ClipboardTarget(context, maxBytes: 10);
        await target.Stream.WriteAsync(new byte[10], TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ClipboardLimitException>(
            () => target.Stream.WriteAsync(new byte[1], TestContext.Current.CancellationToken).AsTask());

        Assert.True(ClipboardLimitException.Caused(new IOException("wrapped", error)));
        Assert.Equal(ExportErrorCodes.OutputNotWritable, ExportErrorCodes.ForFailure(error, started: false));
        Assert.False(target.HasStarted);
    }
}

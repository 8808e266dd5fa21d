using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

using SupportSignal.Export;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

public sealed partial class ExportPageTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_page_shows_every_exportable_table_with_its_count_from_the_database()
    {
        var client = await ExportDownload.AdminAsync(app);

        var html = await client.GetStringAsync(ExportForm.Path, Cancel);

        var shown = ExportDownload.PageCounts(html);
        Assert.Equal(await ExportDownload.DatabaseCountsAsync(app, shown.Keys), shown);
        Assert.Contains("incidents", shown.Keys);
        Assert.True(shown["incidents"] > 0);
        Assert.DoesNotContain("user_tokens", shown.Keys);
        Assert.DoesNotContain("debug_logs", shown.Keys);
        Assert.Contains($">{shown.Values.Sum().ToString("N0", CultureInfo.InvariantCulture)}<", html);
        // The chart: one bar per table, the largest table full width.
        Assert.Equal(shown.Count, Regex.Count(html, "<svg class=\"bar\""));
        Assert.Contains("width=\"100\"", html);
    }

    [Fact]
    public async Task The_page_says_what_is_left_out_and_why_the_format_version_and_that_names_are_utc()
    {
        var client = await ExportDownload.AdminAsync(app);

        var html = await client.GetStringAsync(ExportForm.Path, Cancel);
        var leftOut = html[html.IndexOf("Left out, and why", StringComparison.Ordinal)..];

        Assert.Contains("<code>user_tokens</code> (whole table): holds only secret content", leftOut);
        Assert.Contains("<code>data_protection_keys</code> (whole table)", leftOut);
        Assert.Contains("<code>debug_logs</code> (whole table): large operational log", leftOut);
        Assert.Matches("<code>users</code>: [^<]*password_hash", leftOut);
        Assert.Contains($"v{ExportService.FormatVersion}", html);
        Assert.Contains("<strong>UTC</strong>", html);
        Assert.Contains(">Export Full Database</button>", html);
        Assert.Contains("<form method=\"post\" id=\"export-form\"", html);
        Assert.Contains("name=\"__RequestVerificationToken\"", html[html.IndexOf("id=\"export-form\"", StringComparison.Ordinal)..]);
        Assert.DoesNotContain("<script>", html);
    }

    [Theory]
    [InlineData("json", "application/json; charset=utf-8")]
    [InlineData("json.gz", "application/gzip")]
    [InlineData("zip", "application/zip")]
    [InlineData("parquet.zip", "application/zip")]
    public async Task The_download_is_an_attachment_with_a_utc_file_name_and_safe_headers(string format, string contentType)
    {
        var client = await ExportDownload.AdminAsync(app);
        var before = DateTime.UtcNow;

        var response = await ExportForm.PostFormatAsync(client, format);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        var disposition = response.Content.Headers.GetValues("Content-Disposition").Single();
        var match = Regex.Match(disposition, "^attachment; filename=\"supportsignal-db-export-(\\d{4}-\\d{2}-\\d{2}-\\d{4})\\." + Regex.Escape(format) + "\"$");
        Assert.True(match.Success, disposition);
        var stamped = DateTime.ParseExact(match.Groups[1].Value, "yyyy-MM-dd-HHmm", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(stamped, before.AddMinutes(-1), DateTime.UtcNow);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("json.gz")]
    [InlineData("zip")]
    [InlineData("parquet.zip")]
    public async Task The_body_parses_and_its_counts_equal_its_rows_and_the_database(string format)
    {
        var client = await ExportDownload.AdminAsync(app);

        var response = await ExportForm.PostFormatAsync(client, format);
        var contents = ExportDownload.Read(await response.Content.ReadAsByteArrayAsync(Cancel), format);

        Assert.Equal(contents.RecordCounts, contents.RowsPerTable);
        Assert.Equal(await ExportDownload.DatabaseCountsAsync(app, contents.RecordCounts.Keys), contents.RecordCounts);
        Assert.Contains("incident_narratives", contents.RecordCounts.Keys);
        Assert.DoesNotContain("password_hash", contents.ColumnNames);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("json.gz")]
    [InlineData("zip")]
    [InlineData("parquet.zip")]
    public async Task The_estimated_size_on_the_page_is_within_a_quarter_of_the_real_download(string format)
    {
        var client = await ExportDownload.AdminAsync(app);
        var estimate = ExportDownload.PageEstimate(await client.GetStringAsync(ExportForm.Path, Cancel), format);

        var actual = (await (await ExportForm.PostFormatAsync(client, format)).Content.ReadAsByteArrayAsync(Cancel)).LongLength;

        Assert.InRange(estimate, actual * 0.75, actual * 1.25);
    }

    [Fact]
    public async Task Without_the_form_field_the_export_is_full_json()
    {
        var client = await ExportDownload.AdminAsync(app);

        var response = await ExportForm.PostFormatAsync(client, format: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith(".json\"", response.Content.Headers.GetValues("Content-Disposition").Single());
    }

    [Fact]
    public async Task A_chosen_table_list_exports_those_tables_and_what_they_reference()
    {
        var client = await ExportDownload.AdminAsync(app);

        var response = await ExportForm.PostFormatAsync(client, "json", tables: "incidents,debug_logs");
        var contents = ExportDownload.Read(await response.Content.ReadAsByteArrayAsync(Cancel), "json");

        // The named tables, plus only the rows they reference (companies, sites, ...), never their children.
        Assert.Contains("incidents", contents.RecordCounts.Keys);
        Assert.Contains("debug_logs", contents.RecordCounts.Keys);
        Assert.DoesNotContain("incident_narratives", contents.RecordCounts.Keys);
        Assert.DoesNotContain("clarification_answers", contents.RecordCounts.Keys);
    }

    [Fact]
    public async Task A_post_without_an_antiforgery_token_is_refused_with_400()
    {
        var client = await ExportDownload.AdminAsync(app);

        var response = await ExportForm.PostFormatAsync(client, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentDisposition);
    }

    [Fact]
    public async Task A_post_with_a_forged_antiforgery_token_is_refused_with_400()
    {
        var client = await ExportDownload.AdminAsync(app);
        var someoneElses = await app.CreateBrowserlikeClient().GetAntiforgeryTokenAsync("/account/login");

        var response = await ExportForm.PostAsync(client, [new("Format", "json")], token: someoneElses);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Contains("Bad request", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("xml", null, "Unknown format &#x27;xml&#x27;. Valid formats: json, json.gz, zip, parquet.")]
    [InlineData("json", "incidents,no_such_table", "Unknown table &#x27;no_such_table&#x27;.")]
    [InlineData("json", "user_tokens", "Table user_tokens holds only secret content")]
    public async Task Bad_input_gets_a_400_page_that_names_the_problem(string format, string? tables, string message)
    {
        var client = await ExportDownload.AdminAsync(app);

        var response = await ExportForm.PostFormatAsync(client, format, tables);
        var html = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString());
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Contains("The export request is not valid", html);
        Assert.Contains(message, html);
    }
}

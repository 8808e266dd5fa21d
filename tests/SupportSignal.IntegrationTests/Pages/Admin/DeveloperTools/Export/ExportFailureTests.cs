using System.Net;
using System.Text.RegularExpressions;

using SupportSignal.Data.Entities;
using SupportSignal.Export;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

/// <summary>What the admin sees, and what the log says, when an export goes wrong.</summary>
public sealed partial class ExportFailureTests(FaultyAppFactory app) : IClassFixture<FaultyAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failure_before_the_first_byte_shows_an_error_page_with_a_correlation_id_and_no_detail()
    {
        var client = await ExportDownload.AdminAsync(app);
        var token = await client.GetAntiforgeryTokenAsync("/account/login");

        app.Faults.FailDatabaseOpen = true;
        HttpResponseMessage response;
        try
        {
            response = await ExportForm.PostAsync(client, [new("Format", "json"), new("DownloadToken", "0123456789abcdef0123456789abcdef")], token: token);
        }
        finally
        {
            app.Faults.FailDatabaseOpen = false;
        }

        var html = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString());
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.False(response.Headers.Contains("Set-Cookie"), "the page's script must not see a download as started");
        Assert.Contains("The export could not be started", html);
        Assert.DoesNotContain("secret-path", html);
        Assert.DoesNotContain("InvalidOperationException", html);
        var correlationId = CorrelationId().Match(html).Groups[1].Value;
        Assert.Matches("^[0-9a-f]{32}$", correlationId);
        // Support finds the detail in the log under the same id.
        Assert.Contains(app.Logs.Events, e =>
            e.RenderMessage().Contains("before the first byte", StringComparison.Ordinal)
            && e.RenderMessage().Contains(correlationId, StringComparison.Ordinal)
            && e.Exception is not null);
        // ...and the history under the same id: an attempt that failed, not one that never ended.
        var row = ExportForm.AuditRows(app).Single(a => a.CorrelationId == correlationId);
        Assert.Equal(ExportOutcome.Failed, row.Outcome);
        Assert.Equal("failed_before_first_byte", row.ErrorCode);
        Assert.NotNull(row.FinishedAt);
    }

    [Fact]
    public async Task A_copy_to_the_clipboard_that_fails_shows_the_same_error_page_and_is_audited()
    {
        var client = await ExportDownload.AdminAsync(app);
        var token = await client.GetAntiforgeryTokenAsync("/account/login");

        app.Faults.FailDatabaseOpen = true;
        HttpResponseMessage response;
        try
        {
            response = await ExportForm.PostAsync(client, [new("Tables", "incidents")], token: token, query: "?handler=copy");
        }
        finally
        {
            app.Faults.FailDatabaseOpen = false;
        }

        var html = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("The export could not be started", html);
        Assert.DoesNotContain("secret-path", html);
        var correlationId = CorrelationId().Match(html).Groups[1].Value;
        var row = ExportForm.AuditRows(app).Single(a => a.CorrelationId == correlationId);
        Assert.Equal((ExportSource.Clipboard, ExportOutcome.Failed, "failed_before_first_byte"), (row.Source, row.Outcome, row.ErrorCode));
    }

    [Fact]
    public async Task A_failure_after_streaming_began_aborts_the_connection_so_no_truncated_file_looks_whole()
    {
        var client = await ExportDownload.AdminAsync(app);

        app.Faults.FailAfterFirstWrite = true;
        try
        {
            using var response = await ExportForm.PostFormatAsync(client, "json", completion: HttpCompletionOption.ResponseHeadersRead);

            // The download had started: headers and the first bytes were out...
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
            // ...and instead of a clean end, the client sees the connection torn down.
            await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync(Cancel));
        }
        finally
        {
            app.Faults.FailAfterFirstWrite = false;
        }

        // The connection is torn down first and the audit row finished just after: wait for the row.
        await ExportForm.WaitUntilNoExportRunsAsync(app);
        Assert.Contains(app.Logs.Events, e => e.RenderMessage().Contains("after streaming began", StringComparison.Ordinal));
        Assert.Equal("failed_mid_stream", ExportForm.AuditRows(app).Single(a => a.ErrorCode == "failed_mid_stream").ErrorCode);
        Assert.Equal(ExportOutcome.Failed, ExportForm.AuditRows(app).Single(a => a.ErrorCode == "failed_mid_stream").Outcome);
    }

    [Fact]
    public async Task Closing_the_download_midway_cancels_the_database_work()
    {
        var client = await ExportDownload.AdminAsync(app);
        var finishedBefore = Finished();

        using (var response = await ExportForm.PostFormatAsync(client, "json", completion: HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync(Cancel);
            var buffer = new byte[1024];
            Assert.True(await body.ReadAsync(buffer, Cancel) > 0);
            // Leaving the using blocks closes the stream unread: the tab was closed.
        }

        await Poll.UntilAsync(Cancelled, "the export's cancellation in the log");
        Assert.Equal(finishedBefore, Finished());
        await ExportForm.WaitUntilNoExportRunsAsync(app);
        Assert.Contains(ExportForm.AuditRows(app), a => a.Outcome == ExportOutcome.Cancelled && a.ErrorCode == ExportErrorCodes.Cancelled && a.FinishedAt is not null);
    }

    [Fact]
    public async Task After_a_failure_the_next_export_works()
    {
        var client = await ExportDownload.AdminAsync(app);

        var response = await ExportForm.PostFormatAsync(client, "json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync(Cancel);
        var contents = ExportDownload.Read(body, "json");
        Assert.NotEmpty(contents.RecordCounts);
        // The audit row has the facts of the download itself.
        using var db = app.OpenDatabase();
        var adminId = db.Users.Single(u => u.Email == SupportSignal.Web.Infrastructure.DevelopmentAccounts.EmailFor(AppRole.SystemAdmin)).Id;
        var row = ExportForm.AuditRows(app).Last(a => a.Outcome == ExportOutcome.Succeeded);
        Assert.Equal(adminId, row.UserId);
        Assert.Equal(ExportSource.Web, row.Source);
        Assert.Equal(body.LongLength, row.Bytes);
        Assert.Equal(contents.RecordCounts.Values.Sum(), row.TotalRecords);
        Assert.False(row.Deidentified);
        Assert.NotNull(row.DurationMs);
        Assert.Matches("^[0-9a-f]{32}$", row.CorrelationId);
    }

    private bool Cancelled() => app.Logs.Events.Any(e => e.MessageTemplate.Text.StartsWith("Export cancelled", StringComparison.Ordinal));

    private int Finished() => ExportForm.AuditRows(app).Count(a => a.Outcome == ExportOutcome.Succeeded);

    [GeneratedRegex("<code data-correlation-id>([^<]+)</code>")]
    private static partial Regex CorrelationId();
}

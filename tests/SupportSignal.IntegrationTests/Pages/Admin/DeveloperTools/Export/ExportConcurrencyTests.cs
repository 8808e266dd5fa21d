using System.Net;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

/// <summary>The default limits (two exports per server, one per user) and three system admins to hit them with.</summary>
public sealed class ThreeAdminsFactory : SupportSignalAppFactory
{
    public static readonly string[] Emails = ["admin2@supportsignal.test", "admin3@supportsignal.test"];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await using var db = OpenDatabase();
        foreach (var email in Emails)
        {
            await AccountSeeder.EnsureUserAsync(db, email, "Second Admin", AppRole.SystemAdmin, TestDatabase.Password);
        }
    }
}

public sealed class ExportConcurrencyTests(ThreeAdminsFactory app) : IClassFixture<ThreeAdminsFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_third_concurrent_export_gets_429_with_retry_after_and_a_rejected_audit_row_while_two_run()
    {
        var (first, second, third) = await AdminsAsync();

        using (var one = await StartAsync(first))
        using (var two = await StartAsync(second))
        {
            var refused = await ExportForm.PostAsync(third, [new("Format", "zip"), new("Companies", Guid.Empty.ToString())]);

            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("30", refused.Headers.RetryAfter?.ToString());
            Assert.Null(refused.Content.Headers.ContentDisposition);
            Assert.Contains("Another export is running", await refused.Content.ReadAsStringAsync(Cancel));
            var row = ExportForm.AuditRows(app)[^1];
            Assert.Equal(ExportOutcome.Rejected, row.Outcome);
            Assert.Equal("busy", row.ErrorCode);
            Assert.Equal("zip", row.Format);
            Assert.Matches("^[0-9a-f]{32}$", row.CorrelationId);
        }

        // Both downloads were abandoned; once their exports have stopped, a slot is free again.
        await ExportForm.WaitUntilNoExportRunsAsync(app);
        var retry = await ExportForm.PostFormatAsync(third, "json");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.NotEmpty(ExportDownload.Read(await retry.Content.ReadAsByteArrayAsync(Cancel), "json").RecordCounts);
    }

    [Fact]
    public async Task One_admin_gets_one_export_at_a_time_while_another_admin_still_can()
    {
        var (first, second, _) = await AdminsAsync();

        using (await StartAsync(first))
        {
            var again = await ExportForm.PostFormatAsync(first, "json");
            var other = await ExportForm.PostFormatAsync(second, "json");

            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            Assert.NotEmpty(ExportDownload.Read(await other.Content.ReadAsByteArrayAsync(Cancel), "json").RecordCounts);
        }

        await ExportForm.WaitUntilNoExportRunsAsync(app);
    }

    [Fact]
    public async Task Copy_JSON_is_limited_like_a_download_and_a_refusal_is_audited_as_a_clipboard_export()
    {
        var (first, _, _) = await AdminsAsync();

        using (await StartAsync(first))
        {
            var copy = await ExportForm.PostAsync(first, [new("Tables", "incidents")], query: "?handler=copy");

            Assert.Equal(HttpStatusCode.TooManyRequests, copy.StatusCode);
            Assert.Contains("Another export is running", await copy.Content.ReadAsStringAsync(Cancel));
            var row = ExportForm.AuditRows(app)[^1];
            Assert.Equal((ExportSource.Clipboard, ExportOutcome.Rejected, "busy"), (row.Source, row.Outcome, row.ErrorCode));
            Assert.Contains("incidents", row.Filters);
        }

        await ExportForm.WaitUntilNoExportRunsAsync(app);
    }

    [Fact]
    public async Task Pages_load_while_two_exports_stream()
    {
        var (first, second, third) = await AdminsAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        using var one = await StartAsync(first);
        using var two = await StartAsync(second);
        // Two slow readers: the exports keep their snapshots open and keep streaming throughout.
        var readers = new[] { one, two }.Select(r => ReadSlowlyAsync(r, stop.Token)).ToList();

        // Not how fast (a loaded machine decides that) but whether: each page comes back while both
        // exports are still streaming, instead of waiting for a slot, a lock or the end of an export.
        foreach (var path in new[] { ExportForm.Path, "/admin", ExportForm.Path + "/history", ExportForm.Path })
        {
            var page = await third.GetAsync(path, Cancel).WaitAsync(Poll.DefaultTimeout, Cancel);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.False(readers.Any(r => r.IsCompleted), $"an export ended before {path} was served");
        }

        Assert.Equal(2, ExportForm.AuditRows(app).Count(a => a.Outcome == ExportOutcome.Started));
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        one.Dispose();
        two.Dispose();
        await ExportForm.WaitUntilNoExportRunsAsync(app);
    }

    private async Task<(HttpClient, HttpClient, HttpClient)> AdminsAsync() => (
        await ExportDownload.AdminAsync(app),
        await app.SignInAsync(ThreeAdminsFactory.Emails[0], TestDatabase.Password),
        await app.SignInAsync(ThreeAdminsFactory.Emails[1], TestDatabase.Password));

    /// <summary>An export whose first bytes have arrived and whose body is left unread: it is running.</summary>
    private static async Task<HttpResponseMessage> StartAsync(HttpClient client)
    {
        var response = await ExportForm.PostFormatAsync(client, "json", completion: HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStreamAsync(Cancel);
        Assert.True(await body.ReadAsync(new byte[16], Cancel) > 0);
        return response;
    }

    private static async Task ReadSlowlyAsync(HttpResponseMessage response, CancellationToken stop)
    {
        var body = await response.Content.ReadAsStreamAsync(CancellationToken.None);
        var buffer = new byte[512];
        try
        {
            while (await body.ReadAsync(buffer, stop) > 0)
            {
                await Task.Delay(20, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // Told to stop: the download is abandoned mid-way.
        }
    }
}

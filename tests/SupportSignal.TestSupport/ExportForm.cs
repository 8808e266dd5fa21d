using System.Diagnostics;
using System.Net;

using SupportSignal.Data.Entities;

using Xunit;

namespace SupportSignal.TestSupport;

/// <summary>
/// The export page's form, posted the way the page's own form posts it (antiforgery token and all):
/// the one way every test suite posts it, and the one way to wait until an app's exports are over.
/// </summary>
public static class ExportForm
{
    public const string Path = "/admin/developer-tools/export";

    /// <summary>How long <see cref="PostWhenFreeAsync"/> keeps retrying a busy server, Retry-After included.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Posts any fields (repeatable). The antiforgery token is fetched from the login page unless
    /// <paramref name="token"/> is given or <paramref name="withToken"/> is false; <paramref name="query"/>
    /// (with its <c>?</c>) is appended to the address.
    /// </summary>
    public static async Task<HttpResponseMessage> PostAsync(
        HttpClient client, IEnumerable<KeyValuePair<string, string>> fields, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead,
        bool withToken = true, string? token = null, string query = "", CancellationToken cancellationToken = default)
    {
        cancellationToken = Token(cancellationToken);
        var form = fields.ToList();
        if (withToken)
        {
            form.Add(new("__RequestVerificationToken", token ?? await client.GetAntiforgeryTokenAsync("/account/login")));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Path + query) { Content = new FormUrlEncodedContent(form) };
        return await client.SendAsync(request, completion, cancellationToken);
    }

    /// <summary>Posts the form with a format (none when null) and, optionally, tables.</summary>
    public static Task<HttpResponseMessage> PostFormatAsync(
        HttpClient client, string? format = "json", string? tables = null, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead,
        bool withToken = true, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>>();
        if (format is not null)
        {
            form.Add(new("Format", format));
        }

        if (tables is not null)
        {
            form.Add(new("Tables", tables));
        }

        return PostAsync(client, form, completion, withToken, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Posts a format; while every export slot is busy (429) it waits as long as the answer's Retry-After
    /// says and tries again, for up to <see cref="BusyTimeout"/>. Each refusal is an audit row "rejected".
    /// Call <see cref="WaitUntilNoExportRunsAsync"/> first when the app's own earlier exports are the reason.
    /// </summary>
    public static async Task<HttpResponseMessage> PostWhenFreeAsync(
        HttpClient client, string format, HttpCompletionOption completion, CancellationToken cancellationToken = default)
    {
        cancellationToken = Token(cancellationToken);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var response = await PostFormatAsync(client, format, completion: completion, cancellationToken: cancellationToken);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || clock.Elapsed > BusyTimeout)
            {
                return response;
            }

            var retryAfter = response.Headers.RetryAfter;
            var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1));
            response.Dispose();
            await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until none of the app's exports is still running: every audit row that started has finished,
    /// and no export request is still in the pipeline (so the rate limiter has its slot back).
    /// </summary>
    public static Task WaitUntilNoExportRunsAsync(SupportSignalAppFactory app) =>
        Poll.UntilAsync(
            () => app.ExportPostsInFlight == 0 && !AuditRows(app).Any(a => a.Outcome == ExportOutcome.Started),
            "every export of the app to end and give its slot back");

    /// <summary>The audit rows of an app's database, oldest first.</summary>
    public static List<ExportAudit> AuditRows(SupportSignalAppFactory app)
    {
        using var db = app.OpenDatabase();
        return [.. db.ExportAudits.AsEnumerable().OrderBy(a => a.StartedAt).ThenBy(a => a.Id)];
    }

    private static CancellationToken Token(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? cancellationToken : TestContext.Current.CancellationToken;
}

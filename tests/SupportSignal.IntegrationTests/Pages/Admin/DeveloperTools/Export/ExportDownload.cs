using System.Text.RegularExpressions;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

/// <summary>Posting the export form the way the page does, and reading what comes back.</summary>
internal static partial class ExportDownload
{
    public const string PagePath = "/admin/developer-tools/export";

    public static Task<HttpResponseMessage> PostAsync(
        HttpClient client, string? format = "json", string? tables = null, bool withToken = true,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
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

        return PostFormAsync(client, form, withToken, completion);
    }

    /// <summary>Posts any fields (repeatable) as the page's forms would, with a valid antiforgery token unless told not to.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(
        HttpClient client, IEnumerable<KeyValuePair<string, string>> fields, bool withToken = true,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var form = fields.ToList();
        if (withToken)
        {
            form.Add(new("__RequestVerificationToken", await client.GetAntiforgeryTokenAsync("/account/login")));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, PagePath) { Content = new FormUrlEncodedContent(form) };
        return await client.SendAsync(request, completion, TestContext.Current.CancellationToken);
    }

    /// <summary>The audit rows of an app's database, oldest first.</summary>
    public static List<ExportAudit> AuditRows(SupportSignalAppFactory app)
    {
        using var db = app.OpenDatabase();
        return [.. db.ExportAudits.AsEnumerable().OrderBy(a => a.StartedAt).ThenBy(a => a.Id)];
    }

    /// <summary>Waits until no export of the app is still running (every started row has finished).</summary>
    public static async Task WaitUntilNoExportRunsAsync(SupportSignalAppFactory app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (AuditRows(app).Any(a => a.Outcome == ExportOutcome.Started) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        // The rate limiter's lease goes back as the request ends, just after its audit row is finished.
        await Task.Delay(100, TestContext.Current.CancellationToken);
    }

    public static string FileName(HttpResponseMessage response) => response.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? "";

    public static async Task<HttpClient> AdminAsync(SupportSignalAppFactory app) => await app.SignInAsAsync(AppRole.SystemAdmin);

    public static ExportContents Read(byte[] body, string format) => ExportFiles.Read(body, format);

    public static Task<Dictionary<string, long>> DatabaseCountsAsync(SupportSignalAppFactory app, IEnumerable<string> tables) =>
        ExportFiles.DatabaseCountsAsync(app, tables, TestContext.Current.CancellationToken);

    public static Dictionary<string, long> PageCounts(string html) =>
        PageCountRow().Matches(html).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));

    public static long PageEstimate(string html, string format) =>
        long.Parse(Regex.Match(html, $"value=\"{Regex.Escape(format)}\"[^>]*data-estimated-bytes=\"(\\d+)\"").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("""<tr data-table="([a-z_]+)" data-count="(\d+)">""")]
    private static partial Regex PageCountRow();
}

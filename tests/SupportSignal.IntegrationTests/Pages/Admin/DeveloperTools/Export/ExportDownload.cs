using System.Text.RegularExpressions;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

/// <summary>Posting the export form the way the page does, and reading what comes back.</summary>
internal static partial class ExportDownload
{
    public const string PagePath = "/admin/developer-tools/export";

    public static async Task<HttpResponseMessage> PostAsync(
        HttpClient client, string? format = "json", string? tables = null, bool withToken = true,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var form = new Dictionary<string, string>();
        if (withToken)
        {
            form["__RequestVerificationToken"] = await client.GetAntiforgeryTokenAsync("/account/login");
        }

        if (format is not null)
        {
            form["Format"] = format;
        }

        if (tables is not null)
        {
            form["Tables"] = tables;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, PagePath) { Content = new FormUrlEncodedContent(form) };
        return await client.SendAsync(request, completion, TestContext.Current.CancellationToken);
    }

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

using System.Text.RegularExpressions;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

/// <summary>Reading what the export page and its downloads show (posting the form is <see cref="ExportForm"/>'s).</summary>
internal static partial class ExportDownload
{
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

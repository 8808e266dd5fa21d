using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.Data.Sqlite;

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

    /// <summary>The export's record counts and the length of every data array, from any of the three formats.</summary>
    public static ExportContents Read(byte[] body, string format)
    {
        switch (format)
        {
            case "json.gz":
                using (var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress))
                using (var plain = new MemoryStream())
                {
                    gzip.CopyTo(plain);
                    return Read(plain.ToArray(), "json");
                }

            case "zip":
                using (var zip = new ZipArchive(new MemoryStream(body), ZipArchiveMode.Read))
                {
                    using var metadata = JsonDocument.Parse(zip.GetEntry("metadata.json")!.Open());
                    var rows = zip.Entries.Where(e => e.FullName.StartsWith("tables/", StringComparison.Ordinal)).ToDictionary(
                        e => e.FullName["tables/".Length..^".jsonl".Length],
                        e =>
                        {
                            using var reader = new StreamReader(e.Open());
                            var count = 0L;
                            while (reader.ReadLine() is { } line)
                            {
                                using var _ = JsonDocument.Parse(line);
                                count++;
                            }

                            return count;
                        });
                    return new ExportContents(Counts(metadata.RootElement.GetProperty("metadata")), rows, []);
                }

            default:
                using (var document = JsonDocument.Parse(body))
                {
                    var data = document.RootElement.GetProperty("data");
                    var columns = data.EnumerateObject()
                        .SelectMany(t => t.Value.EnumerateArray().Take(1).SelectMany(r => r.EnumerateObject().Select(p => p.Name)))
                        .ToHashSet();
                    return new ExportContents(
                        Counts(document.RootElement.GetProperty("metadata")),
                        data.EnumerateObject().ToDictionary(t => t.Name, t => (long)t.Value.GetArrayLength()),
                        columns);
                }
        }
    }

    /// <summary>Rows per table counted by the database itself.</summary>
    public static async Task<Dictionary<string, long>> DatabaseCountsAsync(SupportSignalAppFactory app, IEnumerable<string> tables)
    {
        await using var connection = new SqliteConnection(TestDatabase.ConnectionString(app.DatabasePath));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts[table] = (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        }

        return counts;
    }

    public static Dictionary<string, long> PageCounts(string html) =>
        PageCountRow().Matches(html).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));

    public static long PageEstimate(string html, string format) =>
        long.Parse(Regex.Match(html, $"value=\"{Regex.Escape(format)}\"[^>]*data-estimated-bytes=\"(\\d+)\"").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, long> Counts(JsonElement metadata) =>
        metadata.GetProperty("recordCounts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

    [GeneratedRegex("""<tr data-table="([a-z_]+)" data-count="(\d+)">""")]
    private static partial Regex PageCountRow();
}

internal sealed record ExportContents(
    Dictionary<string, long> RecordCounts, Dictionary<string, long> RowsPerTable, HashSet<string> ColumnNames);

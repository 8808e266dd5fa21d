using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

using SupportSignal.Data.Classification;
using SupportSignal.Data.Entities;
using SupportSignal.Export;
using SupportSignal.Export.Catalog;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.ReliabilityTests;

/// <summary>
/// Runs exports in every format, with and without de-identification, from the page, the engine and
/// the CLI, forces errors before and after the first byte and fails sign-ins, capturing every log event
/// (Debug, framework and EF Core included) and every error page; then scans all of it for every
/// secret the database holds (and one seeded token) and, where they must not be, every personal value.
/// </summary>
public sealed partial class LeakScanTests(FaultyAppFactory app) : IClassFixture<FaultyAppFactory>
{
    private const string SeededToken = "TOKEN-CANARY-7f3c9a51e2d84b6b";
    private const string TypedWrongPassword = "Typed-Wrong-Passw0rd-Canary!";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_secret_reaches_an_export_a_log_line_or_an_error_page_and_no_personal_value_a_log_or_a_de_identified_export()
    {
        await using (var connection = await Sql.OpenAsync(app.DatabasePath, Cancel))
        {
            await connection.ExecuteAsync(
                $"INSERT INTO user_tokens (user_id, login_provider, name, value) SELECT id, 'Reliability', 'RefreshToken', '{SeededToken}' FROM users WHERE normalized_email = '{DevelopmentAccounts.AdminEmail.ToUpperInvariant()}'",
                Cancel);
        }

        using var anonymous = app.CreateBrowserlikeClient();
        await anonymous.PostLoginAsync(DevelopmentAccounts.EmailFor(AppRole.TeamLead), TypedWrongPassword);
        using var admin = await app.SignInAsAsync(AppRole.SystemAdmin);
        using (var page = await admin.GetAsync(ExportForm.Path, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var exports = new List<(string Name, string Text)>();
        var deidentified = new List<(string Name, string Text)>();
        var pages = new List<(string Name, string Text)>();
        foreach (var format in ExportFormats.Names)
        {
            using var response = await ExportForm.PostFormatAsync(admin, format, cancellationToken: Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            exports.Add(($"page {format}", await TextAsync(await response.Content.ReadAsByteArrayAsync(Cancel), format)));
            deidentified.Add(($"de-identified {format}", await TextAsync(await EngineExportAsync(format, deidentify: true), format)));
            exports.Add(($"engine {format}", await TextAsync(await EngineExportAsync(format, deidentify: false), format)));
        }

        exports.Add(("cli json", await CliExportAsync()));
        exports.AddRange(deidentified);
        pages.Add(("bad input", await (await ExportForm.PostFormatAsync(admin, "xml", cancellationToken: Cancel)).Content.ReadAsStringAsync(Cancel)));
        pages.Add(("failure before the first byte", await FaultedAsync(admin, f => f.FailDatabaseOpen = true)));
        pages.Add(("failure after the first byte", await FaultedAsync(admin, f => f.FailAfterFirstWrite = true)));
        pages.Add(("login failure", await (await anonymous.PostLoginAsync("nobody@supportsignal.local", TypedWrongPassword)).Content.ReadAsStringAsync(Cancel)));
        var logs = app.Logs.AllText();

        var secrets = await SecretsAsync();
        var personal = await PersonalValuesAsync();
        var ownValues = new[] { DevelopmentAccounts.AdminEmail, "System Admin" };
        var hits = new List<string>();
        foreach (var (name, text) in exports)
        {
            hits.AddRange(Hits(text, secrets, $"export '{name}'"));
        }

        foreach (var (name, text) in deidentified)
        {
            // A lone given or family name ("Bailey") also occurs inside the demo's generated company names
            // ("Bailey - Jacobs"), which are not personal: such a word counts only as a whole JSON value.
            hits.AddRange(Hits(text, [.. personal.Select(v => WordOnly().IsMatch(v) ? $"\"{v}\"" : v)], $"export '{name}'"));
        }

        foreach (var (name, text) in pages)
        {
            // The layout shows the signed-in admin their own e-mail; nobody else's may appear.
            hits.AddRange(Hits(text, [.. secrets, .. personal.Except(ownValues)], $"page '{name}'"));
        }

        hits.AddRange(Hits(logs, [.. secrets, .. personal], "the log"));

        Figures.Record("leaks.scanned", $"{secrets.Count} secret values and {personal.Count} personal values; {exports.Count} exports ({exports.Sum(e => (long)e.Text.Length) / 1024} KB), {pages.Count} error pages, {app.Logs.Events.Count} log events ({logs.Length / 1024} KB); {hits.Count} hits");
        Assert.True(secrets.Count > 50 && personal.Count > 50, $"too few values to scan for: {secrets.Count} secrets, {personal.Count} personal");
        Assert.Contains(SeededToken, secrets);
        Assert.True(hits.Count == 0, string.Join(Environment.NewLine, hits));
    }

    private static IEnumerable<string> Hits(string text, IReadOnlyCollection<string> values, string where) =>
        values.Where(v => text.Contains(v, StringComparison.Ordinal)).Select(v => $"{where} holds '{(v.Length > 40 ? v[..40] + "…" : v)}'");

    private async Task<string> FaultedAsync(HttpClient client, Action<ExportFaults> arm)
    {
        arm(app.Faults);
        try
        {
            using var response = await ExportForm.PostFormatAsync(client, "json", completion: HttpCompletionOption.ResponseHeadersRead, cancellationToken: Cancel);
            try
            {
                return await response.Content.ReadAsStringAsync(Cancel);
            }
            catch (HttpRequestException)
            {
                return "";
            }
            catch (IOException)
            {
                return "";
            }
        }
        finally
        {
            app.Faults.FailDatabaseOpen = false;
            app.Faults.FailAfterFirstWrite = false;
        }
    }

    private async Task<byte[]> EngineExportAsync(string format, bool deidentify)
    {
        await using var db = app.OpenDatabase();
        using var output = new MemoryStream();
        await new ExportService(db).ExportAsync(new ExportRequest { Format = ExportFormats.Parse(format), Deidentify = deidentify }, output, Cancel);
        return output.ToArray();
    }

    private async Task<string> CliExportAsync()
    {
        var directory = Directory.CreateTempSubdirectory("supportsignal-rel-leak-").FullName;
        try
        {
            var file = Path.Combine(directory, "export.json");
            var (code, stderr) = await Cli.RunAsync(directory, Cancel,
                ["export", "--output", file], new Dictionary<string, string?> { ["ConnectionStrings__SupportSignal"] = TestDatabase.ConnectionString(app.DatabasePath) });
            Assert.True(code == 0, stderr);
            return await File.ReadAllTextAsync(file, Cancel) + stderr;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Every value of every secret column (and the key material inside the key ring's XML), the seeded token and a typed password.</summary>
    private async Task<List<string>> SecretsAsync()
    {
        var values = await ColumnValuesAsync(c => c.Classification == DataClass.Secret);
        values.AddRange(values.SelectMany(v => KeyMaterial().Matches(v).Select(m => m.Groups[1].Value)).ToList());
        values.AddRange([TestDatabase.Password, TypedWrongPassword]);
        return [.. values.Where(v => v.Length >= 8).Distinct()];
    }

    private async Task<List<string>> PersonalValuesAsync() =>
        [.. (await ColumnValuesAsync(c => c.Classification == DataClass.Personal)).Where(v => v.Length >= 6).Distinct()];

    private async Task<List<string>> ColumnValuesAsync(Func<ExportColumn, bool> which)
    {
        List<(string Table, string Column)> columns;
        await using (var db = app.OpenDatabase())
        {
            columns = [.. new ExportService(db).Catalog.Tables.SelectMany(t => t.Columns.Where(which).Select(c => (t.Name, c.Name)))];
        }

        await using var connection = await Sql.OpenAsync(app.DatabasePath, Cancel);
        var values = new List<string>();
        foreach (var (table, column) in columns)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT DISTINCT CAST(\"{column}\" AS TEXT) FROM \"{table}\" WHERE \"{column}\" IS NOT NULL";
            await using var reader = await command.ExecuteReaderAsync(Cancel);
            while (await reader.ReadAsync(Cancel))
            {
                values.Add(reader.GetString(0));
            }
        }

        return values;
    }

    private static async Task<string> TextAsync(byte[] body, string format)
    {
        switch (format)
        {
            case "parquet":
                // Every value of every table, decoded: compressed columns would hide a leak from a byte scan.
                var (metadata, tables) = await ParquetFiles.ReadZipAsync(body, Cancel);
                return metadata + string.Concat(tables.Values.Select(t => t.Text()));

            case "json.gz":
                using (var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress))
                using (var reader = new StreamReader(gzip))
                {
                    return reader.ReadToEnd();
                }

            case "zip":
                using (var zip = new ZipArchive(new MemoryStream(body), ZipArchiveMode.Read))
                {
                    return string.Concat(zip.Entries.Select(e =>
                    {
                        using var reader = new StreamReader(e.Open());
                        return reader.ReadToEnd();
                    }));
                }

            default:
                return Encoding.UTF8.GetString(body);
        }
    }

    [GeneratedRegex(@"^\p{L}+$")]
    private static partial Regex WordOnly();

    [GeneratedRegex("<value>([^<]{16,})</value>")]
    private static partial Regex KeyMaterial();
}

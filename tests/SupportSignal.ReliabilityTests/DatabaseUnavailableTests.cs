using System.Net;
using System.Text.RegularExpressions;

using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.ReliabilityTests;

/// <summary>
/// The app as deployed (Production) when its SQLite file is gone: a directory stands where the file
/// was, so every open fails the way a removed disk or a revoked permission makes it fail.
/// </summary>
public sealed partial class DatabaseUnavailableTests(ProductionAppFactory app) : IClassFixture<ProductionAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_export_page_and_the_download_answer_503_with_a_correlation_id_and_no_internals()
    {
        using var client = app.Https();
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostLoginAsync(DevelopmentAccounts.AdminEmail, TestDatabase.Password)).StatusCode);
        var token = await client.GetAntiforgeryTokenAsync("/account/login");

        HttpResponseMessage page, download;
        using (DatabaseFile.Remove(app.DatabasePath))
        {
            page = await client.GetAsync(ExportForm.Path, Cancel);
            // The token was fetched before the file went away: only the export itself meets the missing database.
            download = await ExportForm.PostAsync(client, [new("Format", "json")], token: token, cancellationToken: Cancel);
        }

        foreach (var (what, response) in new[] { ("page", page), ("download", download) })
        {
            var html = await response.Content.ReadAsStringAsync(Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"the {what} answered {(int)response.StatusCode}");
            Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString());
            Assert.Null(response.Content.Headers.ContentDisposition);
            Assert.Matches(CorrelationId(), html);
            Assert.Contains("not available", html, StringComparison.OrdinalIgnoreCase);
            Internals.AssertNoneOnPage(html, $"the {what}'s error page");
            Assert.DoesNotContain(app.DatabasePath, html, StringComparison.Ordinal);
        }

        // Back in place, the same session exports again.
        using var again = await ExportForm.PostFormatAsync(client, "json", cancellationToken: Cancel);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [GeneratedRegex("<code[^>]*>[0-9a-f]{32}</code>")]
    private static partial Regex CorrelationId();
}

/// <summary>Takes a SQLite file (and its WAL) away and puts a directory in its place until disposed.</summary>
public sealed class DatabaseFile : IDisposable
{
    private static readonly string[] _suffixes = ["", "-wal", "-shm"];
    private readonly string _path;

    private DatabaseFile(string path) => _path = path;

    public static DatabaseFile Remove(string path)
    {
        foreach (var suffix in _suffixes.Where(s => File.Exists(path + s)))
        {
            File.Move(path + suffix, path + suffix + ".away");
        }

        Directory.CreateDirectory(path);
        return new DatabaseFile(path);
    }

    public void Dispose()
    {
        Directory.Delete(_path, recursive: true);
        foreach (var suffix in _suffixes.Where(s => File.Exists(_path + s + ".away")))
        {
            File.Move(_path + suffix + ".away", _path + suffix);
        }
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json;

using Microsoft.Extensions.Time.Testing;

using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

/// <summary>The app on a stopped clock that the test moves, so the moment an export is stamped with is known exactly.</summary>
public sealed class StoppedClockApp : SupportSignalAppFactory
{
    public StoppedClockApp() => WithClock(Clock);

    public FakeTimeProvider Clock { get; } = TestClock.Create();
}

public sealed class ExportClockTests(StoppedClockApp app) : IClassFixture<StoppedClockApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_file_name_and_the_metadata_carry_the_moment_of_the_export_in_utc()
    {
        var client = await ExportDownload.AdminAsync(app);
        var start = app.Clock.GetUtcNow();

        var first = await DownloadAsync(client);
        app.Clock.Advance(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(7));
        var second = await DownloadAsync(client);

        Assert.Equal(($"supportsignal-db-export-{Stamp(start)}-segment.json", Iso(start)), first);
        Assert.Equal(($"supportsignal-db-export-{Stamp(start.AddMinutes(187))}-segment.json", Iso(start.AddMinutes(187))), second);
    }

    [Fact]
    public async Task A_session_left_idle_for_eight_hours_must_sign_in_again_before_it_can_export()
    {
        var client = await ExportDownload.AdminAsync(app);
        app.Clock.Advance(TimeSpan.FromHours(7) + TimeSpan.FromMinutes(59));
        using (var stillIn = await client.GetAsync(ExportForm.Path, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        }

        // Sliding: the request just now renewed the session; eight idle hours from there end it.
        app.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        using var page = await client.GetAsync(ExportForm.Path, Cancel);
        using var download = await ExportForm.PostFormatAsync(client, "json");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location?.AbsolutePath);
        Assert.Equal(HttpStatusCode.Redirect, download.StatusCode);
        Assert.Null(download.Content.Headers.ContentDisposition);
    }

    private static string Stamp(DateTimeOffset moment) => moment.UtcDateTime.ToString("yyyy-MM-dd-HHmm", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset moment) => moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static async Task<(string FileName, string? ExportedAt)> DownloadAsync(HttpClient client)
    {
        // One small table (a segment, so named) is enough: the subject is the stamp.
        using var response = await ExportForm.PostFormatAsync(client, "json", tables: "companies");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(Cancel));
        return (ExportDownload.FileName(response), document.RootElement.GetProperty("metadata").GetProperty("exportedAt").GetString());
    }
}

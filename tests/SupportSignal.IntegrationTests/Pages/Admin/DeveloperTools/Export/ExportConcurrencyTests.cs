using System.Net;

using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

public sealed class OneExportAtATimeFactory : SupportSignalAppFactory
{
    public OneExportAtATimeFactory() => WithSetting(ExportGate.MaxConcurrentKey, "1");
}

public sealed class ExportConcurrencyTests(OneExportAtATimeFactory app) : IClassFixture<OneExportAtATimeFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Beyond_the_concurrency_limit_an_export_is_refused_with_503_until_a_slot_frees()
    {
        var first = await ExportDownload.AdminAsync(app);
        var second = await ExportDownload.AdminAsync(app);

        using (var running = await ExportDownload.PostAsync(first, "json", completion: HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await running.Content.ReadAsStreamAsync(Cancel);
            Assert.True(await body.ReadAsync(new byte[16], Cancel) > 0);

            var refused = await ExportDownload.PostAsync(second, "json");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("30", refused.Headers.RetryAfter?.ToString());
            Assert.Null(refused.Content.Headers.ContentDisposition);
            Assert.Contains("Other exports are running", await refused.Content.ReadAsStringAsync(Cancel));
        }

        // The first download was abandoned; once its export has stopped, the slot is free again.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpResponseMessage retry;
        do
        {
            await Task.Delay(50, Cancel);
            retry = await ExportDownload.PostAsync(second, "json");
        }
        while (retry.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.NotEmpty(ExportDownload.Read(await retry.Content.ReadAsByteArrayAsync(Cancel), "json").RecordCounts);
    }
}

using System.Net;

using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages;

/// <summary>What every page's layout gives a browser besides the page itself.</summary>
public sealed class LayoutTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_page_names_its_icon_and_the_icon_is_served_to_anyone()
    {
        var client = app.CreateClient();
        var html = await client.GetStringAsync("/account/login", Cancel);
        Assert.Contains("<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\" />", html);

        // Without it a browser asks for /favicon.ico, gets a 404 and logs an error on every page.
        var icon = await client.GetAsync("/favicon.svg", Cancel);
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<svg", await icon.Content.ReadAsStringAsync(Cancel));
    }
}

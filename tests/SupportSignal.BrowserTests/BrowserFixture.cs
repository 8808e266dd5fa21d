using Microsoft.Playwright;

using SupportSignal.TestSupport;

namespace SupportSignal.BrowserTests;

/// <summary>
/// The real app on real Kestrel (a loopback port) and Debian's Chromium driven by Playwright,
/// shared by the tests of a class; each test opens its own browser context.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public FaultyAppFactory App { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Where screenshots and downloads of this run go: the test output folder.</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async ValueTask InitializeAsync()
    {
        await App.InitializeAsync();
        BaseAddress = App.StartRealServer();
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Without the networking switches Chromium floods a closed network with refused connections.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>
    /// A fresh context (own cookies). Skips the test when Chromium is not installed on a developer's
    /// machine; in CI (CI=true) a missing Chromium fails the test instead, so nothing silently goes untested.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(bool javaScriptEnabled = true)
    {
        if (_browser is null)
        {
            var reason = $"Chromium is not installed at {ChromiumPath} (apt-get install -y chromium).";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(reason + " CI must run the browser tests.");
            }

            Assert.Skip(reason + " Browser tests skipped.");
        }

        return await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            JavaScriptEnabled = javaScriptEnabled,
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

using System.Text.Json;

using Microsoft.Playwright;

namespace SupportSignal.BrowserTests.Engines;

/// <summary>Debian's Chromium, driven by Microsoft.Playwright over the DevTools protocol.</summary>
public sealed class ChromiumEngine : IBrowserEngine
{
    public const string BinaryPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string Name => "chromium";

    public string? MissingReason => File.Exists(BinaryPath) ? null : $"Chromium is not installed at {BinaryPath} (apt-get install -y chromium).";

    public async Task StartAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BinaryPath,
            Headless = true,
            // Without the networking switches Chromium floods a closed network with refused connections.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task<IBrowserTab> NewTabAsync(Uri baseAddress, ExportResponses responses) =>
        await NewPlaywrightTabAsync(baseAddress, javaScriptEnabled: true);

    /// <summary>A Playwright page of its own context, for the tests only Playwright can run (JavaScript off).</summary>
    public async Task<ChromiumTab> NewPlaywrightTabAsync(Uri baseAddress, bool javaScriptEnabled)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            JavaScriptEnabled = javaScriptEnabled,
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        // The async Clipboard API needs both; only the page's own origin gets them.
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = baseAddress.GetLeftPart(UriPartial.Authority) });
        var tab = new ChromiumTab(context, await context.NewPageAsync());
        return tab;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

public sealed class ChromiumTab : IBrowserTab
{
    private readonly IBrowserContext _context;
    private readonly List<string> _consoleErrors = [];

    public ChromiumTab(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add($"{message.Text} ({message.Location})");
                }
            }
        };
    }

    /// <summary>The Playwright page itself, for what only Playwright can do.</summary>
    public IPage Page { get; }

    public string Engine => "chromium";

    public EngineAbilities Abilities { get; } = new(ObservesDownloads: true, ReportsConsole: true, ReadsClipboard: true);

    public IReadOnlyList<string> ConsoleErrors
    {
        get
        {
            lock (_consoleErrors)
            {
                return [.. _consoleErrors];
            }
        }
    }

    public async Task<int?> GoToAsync(string path) => (await Page.GotoAsync(path))?.Status;

    public Task ClickAsync(string selector) => Page.Locator(selector).First.ClickAsync();

    public Task SelectAsync(string selector, string value) => Page.Locator(selector).First.SelectOptionAsync(value);

    public Task TypeAsync(string selector, string text) => Page.Locator(selector).First.FillAsync(text);

    public async Task<T> EvaluateAsync<T>(string expression)
    {
        var json = await Page.EvaluateAsync<string>($"async () => JSON.stringify(await ({expression}))");
        return JsonSerializer.Deserialize<T>(json)!;
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Caret = ScreenshotCaret.Initial, FullPage = true, Path = Artifacts.PathFor(Engine, name + ".png") });

    public async Task<DownloadedFile> ClickForDownloadAsync(string selector)
    {
        var download = await Page.RunAndWaitForDownloadAsync(() => ClickAsync(selector));
        var failure = await download.FailureAsync();
        if (failure is not null)
        {
            return new DownloadedFile(download.SuggestedFilename, null, Failed: true, "browser");
        }

        var path = Artifacts.PathFor(Engine, download.SuggestedFilename);
        await download.SaveAsAsync(path);
        return new DownloadedFile(download.SuggestedFilename, await File.ReadAllBytesAsync(path), Failed: false, "browser");
    }

    public Task<string> ReadClipboardAsync() => Page.EvaluateAsync<string>("() => navigator.clipboard.readText()");

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

using OpenQA.Selenium;
using OpenQA.Selenium.Remote;

namespace SupportSignal.BrowserTests.Engines;

/// <summary>
/// WebKitGTK (the engine Safari shares) through WebKitWebDriver, a W3C WebDriver server, driving
/// MiniBrowser. The build has no headless mode, so the driver runs under Xvfb. Each tab is a
/// WebDriver session of its own (a fresh MiniBrowser: own cookies). The driver reports neither
/// downloads nor console messages, so a download is checked as the response its click produced.
/// </summary>
public sealed class WebKitEngine : IBrowserEngine
{
    public const string DriverPath = "/usr/bin/WebKitWebDriver";
    public const string XvfbRunPath = "/usr/bin/xvfb-run";
    public const string MiniBrowserPath = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

    private Process? _driver;
    private Uri? _driverAddress;

    public string Name => "webkit";

    public string? MissingReason =>
        new[] { DriverPath, XvfbRunPath, MiniBrowserPath }.FirstOrDefault(p => !File.Exists(p)) is { } missing
            ? $"{missing} is not installed (apt-get install -y webkit2gtk-driver xvfb)."
            : null;

    public async Task StartAsync()
    {
        var port = FreePort();
        _driverAddress = new Uri($"http://127.0.0.1:{port}");
        _driver = Process.Start(new ProcessStartInfo(XvfbRunPath, ["-a", "-s", "-screen 0 1280x1024x24", DriverPath, $"--port={port}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("xvfb-run did not start");
        _ = _driver.StandardError.ReadToEndAsync();
        _ = _driver.StandardOutput.ReadToEndAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Poll.UntilAsync(async () =>
        {
            if (_driver.HasExited)
            {
                throw new InvalidOperationException($"WebKitWebDriver under xvfb-run exited with {_driver.ExitCode}");
            }

            try
            {
                using var status = await http.GetAsync(new Uri(_driverAddress, "status"));
                return status.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, "WebKitWebDriver to answer /status");
    }

    public async Task<IBrowserTab> NewTabAsync(Uri baseAddress, ExportResponses responses)
    {
        var options = new MiniBrowserOptions();
        options.AddAdditionalOption("webkitgtk:browserOptions", new Dictionary<string, object>
        {
            ["binary"] = MiniBrowserPath,
            ["args"] = new[] { "--automation" },
        });
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // A session request with no display hangs rather than failing: keep the client's patience short.
                var driver = new RemoteWebDriver(_driverAddress!, options.ToCapabilities(), TimeSpan.FromSeconds(30));
                return new WebKitTab(driver, baseAddress, responses);
            }
            catch (WebDriverException) when (attempt < 3)
            {
                // Now and then a new MiniBrowser never answers its session request (seen once in CI on an idle
                // machine, at the start of a test): a fresh Xvfb and driver, and the tab is asked for again.
                Stop();
                await StartAsync();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private void Stop()
    {
        if (_driver is { HasExited: false })
        {
            _driver.Kill(entireProcessTree: true);
            _driver.WaitForExit();
        }

        _driver?.Dispose();
        _driver = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class MiniBrowserOptions : DriverOptions
    {
        public MiniBrowserOptions() => BrowserName = "MiniBrowser";

        public override ICapabilities ToCapabilities() => GenerateDesiredCapabilities(true).AsReadOnly();
    }
}

public sealed class WebKitTab(RemoteWebDriver driver, Uri baseAddress, ExportResponses responses) : IBrowserTab
{
    public string Engine => "webkit";

    public EngineAbilities Abilities { get; } = new(ObservesDownloads: false, ReportsConsole: false, ReadsClipboard: true);

    public IReadOnlyList<string> ConsoleErrors => [];

    public Task<int?> GoToAsync(string path)
    {
        driver.Navigate().GoToUrl(new Uri(baseAddress, path));
        return Task.FromResult<int?>(null);
    }

    public async Task ClickAsync(string selector)
    {
        // WebKitWebDriver's click on a 12-pixel check box focuses it without ticking it more often than not
        // (WebKitGTK 2.50 under Xvfb): a check box or radio button is clicked on its label, as people mostly do.
        // Even on the label a click now and then does not register (CI saw a check box stay clear), so a
        // check box or radio button is clicked again, at most twice more, until its state has changed.
        var before = driver.ExecuteScript(
            "const e = document.querySelector(arguments[0]); return !e ? null : e.type === 'checkbox' ? e.checked : e.type === 'radio' && !e.checked ? false : null;", selector);
        for (var attempt = 1; ; attempt++)
        {
            var element = (IWebElement)driver.ExecuteScript(
                "const e = document.querySelector(arguments[0]); if (!e) return null; const target = (e.type === 'checkbox' || e.type === 'radio') && e.labels && e.labels.length ? e.labels[0] : e; target.scrollIntoView({ block: 'center' }); return target;",
                selector)! ?? throw new NoSuchElementException($"No element matches {selector}");
            element.Click();
            if (before is not bool was || attempt == 3)
            {
                return;
            }

            try
            {
                await Poll.UntilAsync(() => driver.ExecuteScript("return document.querySelector(arguments[0])?.checked;", selector) is bool now && now != was,
                    $"{selector} to change state", TimeSpan.FromSeconds(1));
                return;
            }
            catch (TimeoutException)
            {
                // Not ticked: click again.
            }
        }
    }

    /// <summary>
    /// WebKitWebDriver's click on an option of a list box neither selects it nor fires an event
    /// (checked on WebKitGTK 2.50), so the option is selected and the change announced by script.
    /// </summary>
    public Task SelectAsync(string selector, string value)
    {
        driver.ExecuteScript(
            "const s = document.querySelector(arguments[0]); [...s.options].find(o => o.value === arguments[1]).selected = true; s.dispatchEvent(new Event('input', { bubbles: true })); s.dispatchEvent(new Event('change', { bubbles: true }));",
            selector, value);
        return Task.CompletedTask;
    }

    public Task TypeAsync(string selector, string text)
    {
        var field = driver.FindElement(By.CssSelector(selector));
        field.Clear();
        field.SendKeys(text);
        return Task.CompletedTask;
    }

    public Task<T> EvaluateAsync<T>(string expression)
    {
        // W3C Execute Script awaits a returned promise.
        var json = (string)driver.ExecuteScript($"return (async () => JSON.stringify(await ({expression})))();")!;
        return Task.FromResult(JsonSerializer.Deserialize<T>(json)!);
    }

    public Task ScreenshotAsync(string name)
    {
        driver.GetScreenshot().SaveAsFile(Artifacts.PathFor(Engine, name + ".png"));
        return Task.CompletedTask;
    }

    public async Task<DownloadedFile> ClickForDownloadAsync(string selector)
    {
        var before = responses.Count;
        await ClickAsync(selector);
        var response = await responses.WaitForAsync(before);
        Assert.Equal(200, response.Status);
        return new DownloadedFile(response.FileName ?? "", response.Completed ? response.Body : null, Failed: !response.Completed, "response");
    }

    /// <summary>
    /// WebKit refuses navigator.clipboard.readText() to a script ("not allowed by the user agent"), so the
    /// clipboard is read the way a person would: Ctrl+V into a text box added for the purpose.
    /// </summary>
    public Task<string> ReadClipboardAsync()
    {
        var box = (IWebElement)driver.ExecuteScript(
            "const t = document.createElement('textarea'); t.id = 'clipboard-probe'; document.body.append(t); t.scrollIntoView({ block: 'center' }); return t;")!;
        box.Click();
        new OpenQA.Selenium.Interactions.Actions(driver).KeyDown(Keys.Control).SendKeys("v").KeyUp(Keys.Control).Perform();
        var text = (string)driver.ExecuteScript("const t = document.getElementById('clipboard-probe'); const v = t.value; t.remove(); return v;")!;
        return Task.FromResult(text);
    }

    public ValueTask DisposeAsync()
    {
        driver.Quit();
        driver.Dispose();
        return ValueTask.CompletedTask;
    }
}

using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;

using OpenQA.Selenium.BiDi;
using OpenQA.Selenium.BiDi.Browser;
using OpenQA.Selenium.BiDi.BrowsingContext;
using OpenQA.Selenium.BiDi.Input;
using OpenQA.Selenium.BiDi.Script;
using OpenQA.Selenium.BiDi.Session;

using Context = OpenQA.Selenium.BiDi.BrowsingContext.BrowsingContext;

namespace SupportSignal.BrowserTests.Engines;

/// <summary>
/// Debian's Firefox ESR, headless, driven over its own WebDriver BiDi endpoint by Selenium's BiDi
/// client (no geckodriver). One browser per test class; each tab lives in a user context of its own
/// (own cookies), and downloads are saved to a folder the test reads.
/// </summary>
public sealed class FirefoxEngine : IBrowserEngine
{
    public const string BinaryPath = "/usr/bin/firefox-esr";
    private const string Listening = "WebDriver BiDi listening on ";

    private readonly ConcurrentQueue<(UserContext? UserContext, string? FileName, string? Path, bool Failed)> _downloadsEnded = new();
    private readonly ConcurrentDictionary<string, string> _suggestedNames = new();
    private readonly ConcurrentQueue<(Context? Context, string Text)> _consoleErrors = new();
    private Process? _process;
    private DirectoryInfo? _profile;
    private IBiDi? _bidi;

    public string Name => "firefox";

    public string? MissingReason => File.Exists(BinaryPath) ? null : $"Firefox ESR is not installed at {BinaryPath} (apt-get install -y firefox-esr).";

    public string DownloadDirectory { get; } = System.IO.Directory.CreateDirectory(Artifacts.PathFor("firefox", "downloads")).FullName;

    internal IBiDi BiDi => _bidi ?? throw new InvalidOperationException("Firefox is not started.");

    public async Task StartAsync()
    {
        _profile = System.IO.Directory.CreateTempSubdirectory("supportsignal-firefox-");
        // Lets the page's script use the async Clipboard API without the paste prompt a person would see (Firefox's own test switch).
        await File.WriteAllTextAsync(Path.Combine(_profile.FullName, "user.js"), """
            user_pref("dom.events.testing.asyncClipboard", true);
            user_pref("browser.shell.checkDefaultBrowser", false);
            user_pref("datareporting.policy.dataSubmissionEnabled", false);
            user_pref("app.update.disabledForTesting", true);
            """);
        var start = new ProcessStartInfo(BinaryPath, ["--headless", "--no-remote", "--profile", _profile.FullName, "--remote-debugging-port=0", "about:blank"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("firefox-esr did not start");
        string? address = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (address is null)
        {
            var line = await _process.StandardError.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("firefox-esr exited before it listened for WebDriver BiDi");
            var at = line.IndexOf(Listening, StringComparison.Ordinal);
            if (at >= 0)
            {
                address = line[(at + Listening.Length)..].Trim();
            }
        }

        // Firefox keeps writing to both streams; drain them so it never blocks on a full pipe.
        _ = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.ReadToEndAsync();
        _bidi = await OpenQA.Selenium.BiDi.BiDi.ConnectAsync(new Uri(address + "/session"));
        await _bidi.NewAsync(new CapabilitiesRequest());
        await _bidi.Browser.SetDownloadBehaviorAsync(new DownloadBehaviorAllowed(DownloadDirectory));
        // Firefox 153 leaves the event's download id out; the navigation id ties the two events together.
        await _bidi.BrowsingContext.DownloadWillBegin.SubscribeAsync(e => _suggestedNames[Key(e.Download?.Id, e.Navigation?.Id, e.Url)] = e.SuggestedFilename);
        await _bidi.BrowsingContext.DownloadEnd.SubscribeAsync(e =>
        {
            switch (e)
            {
                case DownloadCompleteEventArgs done:
                    _downloadsEnded.Enqueue((e.UserContext, _suggestedNames.GetValueOrDefault(Key(done.Download?.Id, e.Navigation?.Id, e.Url)), done.Filepath, false));
                    break;
                case DownloadCanceledEventArgs canceled:
                    _downloadsEnded.Enqueue((e.UserContext, _suggestedNames.GetValueOrDefault(Key(canceled.Download?.Id, e.Navigation?.Id, e.Url)), null, true));
                    break;
            }
        });
        await _bidi.Log.EntryAdded.SubscribeAsync(e =>
        {
            if (e.Level == OpenQA.Selenium.BiDi.Log.Level.Error)
            {
                _consoleErrors.Enqueue((e.Source.Context, e.Text ?? ""));
            }
        });
    }

    public async Task<IBrowserTab> NewTabAsync(Uri baseAddress, ExportResponses responses)
    {
        var user = (await BiDi.Browser.CreateUserContextAsync()).UserContext;
        var context = (await BiDi.BrowsingContext.CreateAsync(ContextType.Tab, new CreateOptions { UserContext = user })).Context;
        return new FirefoxTab(this, baseAddress, user, context);
    }

    private static string Key(string? download, string? navigation, string? url) => download ?? navigation ?? url ?? "";

    internal IEnumerable<(UserContext? UserContext, string? FileName, string? Path, bool Failed)> DownloadsEnded => _downloadsEnded;

    internal IEnumerable<string> ConsoleErrorsOf(Context context) => _consoleErrors.Where(e => e.Context?.Id == context.Id).Select(e => e.Text);

    public async ValueTask DisposeAsync()
    {
        if (_bidi is not null)
        {
            try
            {
                await _bidi.Browser.CloseAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Closing ends the connection under the client's feet; the process is stopped below either way.
            }

            await _bidi.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _profile?.Delete(recursive: true);
    }
}

public sealed class FirefoxTab(FirefoxEngine engine, Uri baseAddress, UserContext user, Context context) : IBrowserTab
{
    public string Engine => "firefox";

    public EngineAbilities Abilities { get; } = new(ObservesDownloads: true, ReportsConsole: true, ReadsClipboard: true);

    public IReadOnlyList<string> ConsoleErrors => [.. engine.ConsoleErrorsOf(context)];

    public async Task<int?> GoToAsync(string path)
    {
        await context.NavigateAsync(new Uri(baseAddress, path).ToString(), new NavigateOptions { Wait = ReadinessState.Complete });
        return null;
    }

    public async Task ClickAsync(string selector)
    {
        var node = await ScrolledIntoViewAsync(selector);
        await context.Input.PerformActionsAsync(
        [
            new PointerSourceActions("mouse", [new PointerMoveAction(0, 0) { Origin = new ElementOrigin(node) }, new PointerDownAction(0), new PointerUpAction(0)]),
        ]);
    }

    public Task SelectAsync(string selector, string value) => ClickAsync($"{selector} option[value='{value}']");

    public async Task TypeAsync(string selector, string text)
    {
        await ClickAsync(selector);
        await EvaluateAsync<bool>($"(() => {{ const e = document.querySelector({JsonSerializer.Serialize(selector)}); e.select(); return true; }})()");
        var keys = text.SelectMany(c => new IKeySourceAction[] { new KeyDownAction(c), new KeyUpAction(c) }).ToImmutableArray();
        // Typing replaces the selection.
        await context.Input.PerformActionsAsync([new KeySourceActions("keyboard", keys)]);
    }

    public async Task<T> EvaluateAsync<T>(string expression)
    {
        var result = await context.Script.EvaluateAsync($"(async () => JSON.stringify(await ({expression})))()", true, new EvaluateOptions { UserActivation = true });
        return result switch
        {
            EvaluateResultSuccess { Result: StringRemoteValue text } => JsonSerializer.Deserialize<T>(text.Value)!,
            EvaluateResultException failed => throw new InvalidOperationException($"Script failed in Firefox: {failed.ExceptionDetails.Text}"),
            _ => throw new InvalidOperationException($"Script returned no JSON in Firefox: {result}"),
        };
    }

    public async Task ScreenshotAsync(string name)
    {
        var png = await context.CaptureScreenshotAsync(new CaptureScreenshotOptions { Origin = ScreenshotOrigin.Document });
        await File.WriteAllBytesAsync(Artifacts.PathFor(Engine, name + ".png"), png.Data.ToArray());
    }

    public async Task<DownloadedFile> ClickForDownloadAsync(string selector)
    {
        var before = engine.DownloadsEnded.Count(d => IsMine(d.UserContext));
        await ClickAsync(selector);
        await Poll.UntilAsync(() => engine.DownloadsEnded.Count(d => IsMine(d.UserContext)) > before, "Firefox to finish (or give up) the download");
        var (_, fileName, path, failed) = engine.DownloadsEnded.Where(d => IsMine(d.UserContext)).ElementAt(before);
        var name = fileName ?? Path.GetFileName(path) ?? "";
        return failed || path is null
            ? new DownloadedFile(name, null, Failed: true, "browser")
            : new DownloadedFile(name, await File.ReadAllBytesAsync(path), Failed: false, "browser");
    }

    public Task<string> ReadClipboardAsync() => EvaluateAsync<string>("navigator.clipboard.readText()");

    public async ValueTask DisposeAsync()
    {
        await context.CloseAsync();
        await engine.BiDi.Browser.RemoveUserContextAsync(user);
    }

    private bool IsMine(UserContext? owner) => owner is null || owner.Id == user.Id;

    private async Task<ISharedReference> ScrolledIntoViewAsync(string selector)
    {
        await EvaluateAsync<bool>($"(() => {{ const e = document.querySelector({JsonSerializer.Serialize(selector)}); if (!e) throw new Error('no element matches ' + {JsonSerializer.Serialize(selector)}); e.scrollIntoView({{ block: 'center' }}); return true; }})()");
        var nodes = (await context.LocateNodesAsync(new CssLocator(selector))).Nodes;
        return nodes.IsEmpty ? throw new InvalidOperationException($"No element matches {selector}") : nodes[0];
    }
}

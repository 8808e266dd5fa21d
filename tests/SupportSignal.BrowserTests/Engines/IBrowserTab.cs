namespace SupportSignal.BrowserTests.Engines;

/// <summary>
/// One browser tab with its own cookies, driven the same way whichever engine is behind it, so the
/// export page's tests are written once. Selectors are CSS; clicks and typing are the engine's own
/// input (not a script's <c>click()</c>); everything else is read from the page with a script.
/// </summary>
public interface IBrowserTab : IAsyncDisposable
{
    /// <summary>The engine's name, for screenshots and messages ("chromium", "firefox", "webkit").</summary>
    string Engine { get; }

    /// <summary>What this engine lets a test observe (downloads, console, clipboard).</summary>
    EngineAbilities Abilities { get; }

    /// <summary>Opens a path of the app and waits for the page to finish loading; returns the HTTP status where the engine reports it.</summary>
    Task<int?> GoToAsync(string path);

    /// <summary>A real mouse click on the first element matching <paramref name="selector"/>.</summary>
    Task ClickAsync(string selector);

    /// <summary>Adds the option with this value to a multiple-choice list's selection, as a user's click (or, where the driver cannot click options, the same change) would.</summary>
    Task SelectAsync(string selector, string value);

    /// <summary>Clears a text field and types <paramref name="text"/> into it with the keyboard.</summary>
    Task TypeAsync(string selector, string text);

    /// <summary>
    /// Runs a JavaScript expression in the page (a promise is awaited) and returns its value,
    /// round-tripped through JSON.
    /// </summary>
    Task<T> EvaluateAsync<T>(string expression);

    /// <summary>Saves a PNG of the tab under the test run's artifacts folder.</summary>
    Task ScreenshotAsync(string name);

    /// <summary>
    /// Clicks and waits for the download the click starts: the file the browser saved where the
    /// engine reports downloads; otherwise what the server sent for that click.
    /// </summary>
    Task<DownloadedFile> ClickForDownloadAsync(string selector);

    /// <summary>Console errors and content-security-policy violations so far; empty where the engine does not report them.</summary>
    IReadOnlyList<string> ConsoleErrors { get; }

    /// <summary>The system clipboard's text, read back the way the engine allows.</summary>
    Task<string> ReadClipboardAsync();
}

/// <summary>What an engine lets a test see.</summary>
/// <param name="ObservesDownloads">The browser's own download (file name and saved bytes) is visible; otherwise the server's response is checked.</param>
/// <param name="ReportsConsole">Console errors reach the test.</param>
/// <param name="ReadsClipboard">The clipboard can be read back.</param>
public sealed record EngineAbilities(bool ObservesDownloads, bool ReportsConsole, bool ReadsClipboard);

/// <summary>
/// A download as the test saw it. <paramref name="Source"/> says how: "browser" (the engine saved the
/// file) or "response" (the engine cannot report downloads, so this is the response the click produced).
/// </summary>
public sealed record DownloadedFile(string FileName, byte[]? Contents, bool Failed, string Source);

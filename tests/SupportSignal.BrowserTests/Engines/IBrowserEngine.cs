namespace SupportSignal.BrowserTests.Engines;

/// <summary>A browser engine installed from Debian's packages, started once per test class.</summary>
public interface IBrowserEngine : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Null when the engine is installed; otherwise what is missing and how to install it.</summary>
    string? MissingReason { get; }

    Task StartAsync();

    /// <summary>A fresh tab with cookies of its own.</summary>
    Task<IBrowserTab> NewTabAsync(Uri baseAddress, ExportResponses responses);
}

/// <summary>Where screenshots and downloads of this run go: the test output folder, one folder per engine.</summary>
public static class Artifacts
{
    public static string Directory { get; } = System.IO.Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public static string PathFor(string engine, string fileName) =>
        Path.Combine(System.IO.Directory.CreateDirectory(Path.Combine(Directory, engine)).FullName, fileName);
}

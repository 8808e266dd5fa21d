using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

using SupportSignal.Cli;
using SupportSignal.Export;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.ReliabilityTests;

/// <summary>
/// The figures the suite measures (inputs tried, peak working set, durations, refusals), written to
/// the test output and to <c>reliability-figures.txt</c> next to the test binary for docs/reliability.md.
/// </summary>
public static class Figures
{
    private static readonly Lock _gate = new();

    public static string FilePath { get; } = Path.Combine(AppContext.BaseDirectory, "reliability-figures.txt");

    public static void Record(string name, FormattableString value)
    {
        var line = $"{DateTime.UtcNow:O} {name}: {FormattableString.Invariant(value)}";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        lock (_gate)
        {
            File.AppendAllText(FilePath, line + Environment.NewLine);
        }
    }
}

/// <summary>Settings a CI run or a developer may change through environment variables.</summary>
public static class Settings
{
    /// <summary>RELIABILITY_LOAD_SECONDS: how long the load test runs (default 20).</summary>
    public static TimeSpan LoadDuration { get; } =
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_LOAD_SECONDS"), out var s) && s > 0 ? s : 20);

    /// <summary>RELIABILITY_FUZZ_SEED: the fuzzers' seed (default 20261126), so a failure replays exactly.</summary>
    public static int FuzzSeed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_FUZZ_SEED"), out var seed) ? seed : 20261126;
}

/// <summary>What an error page or a CLI message must never show: internals of the server.</summary>
public static partial class Internals
{
    /// <summary>For web pages: not even the database's own wording (a CLI operator may see it; a browser may not).</summary>
    public static void AssertNoneOnPage(string html, string context)
    {
        AssertNone(html, context);
        Assert.DoesNotContain("SQLite Error", html, StringComparison.OrdinalIgnoreCase);
    }

    public static void AssertNone(string text, string context)
    {
        var match = Leak().Match(text);
        Assert.False(match.Success, $"{context} shows internal detail '{match.Value}'");
    }

    // A .NET stack frame, an exception type name, the developer exception page, a test path.
    [GeneratedRegex(@"\n\s+at [\w.<>`]+\(|\w+Exception\b|Unhandled exception|DeveloperExceptionPage|Stack trace|/tmp/supportsignal-tests-", RegexOptions.IgnoreCase)]
    private static partial Regex Leak();
}

/// <summary>Clients that talk to the app over a real socket (the load and fault tests) or as a browser on https would.</summary>
public static class Clients
{
    /// <summary>A cookie-keeping client on the live Kestrel address; redirects are not followed.</summary>
    public static HttpClient Live(Uri baseAddress) =>
        new(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(2),
        };

    /// <summary>Signs the client in as the development system administrator, through the real login form.</summary>
    public static async Task<HttpClient> AdminAsync(this HttpClient client, CancellationToken cancellationToken = default)
    {
        using var response = await client.PostLoginAsync(DevelopmentAccounts.AdminEmail, TestDatabase.Password);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in failed with {(int)response.StatusCode}.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        return client;
    }

    /// <summary>A TestServer client that believes it is on https, so Secure cookies survive outside Development.</summary>
    public static HttpClient Https(this SupportSignalAppFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            // Not localhost: HSTS is deliberately never sent to localhost.
            BaseAddress = new Uri("https://supportsignal.example"),
        });
}

/// <summary>The app as it runs in production: no developer exception page, HSTS, Secure cookies; faults off until armed.</summary>
public sealed class ProductionAppFactory : SupportSignalAppFactory
{
    public ProductionAppFactory() => ExportFaults.Install(this, Faults);

    public ExportFaults Faults { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

/// <summary>Samples this process's working set (the app is hosted in-process) until disposed.</summary>
public sealed class WorkingSetSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public WorkingSetSampler(TimeSpan interval)
    {
        // What earlier tests in this process left behind is not this measurement's.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        Baseline = Current();
        _peak = Baseline;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), Current()));
                try
                {
                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public long Baseline { get; }

    public long Peak => Math.Max(Interlocked.Read(ref _peak), Current());

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private static long Current()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}

/// <summary>Counts outcomes from many concurrent workers.</summary>
public sealed class Tally
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public void Add(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public int this[string key] => _counts.GetValueOrDefault(key);

    public int Total => _counts.Values.Sum();

    public override string ToString() => string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
}

/// <summary>Facts about an app's database, read outside the app.</summary>
public static class Database
{
    /// <summary>The tables a full export holds, by the engine's own selection.</summary>
    public static List<string> ExportedTables(SupportSignalAppFactory app)
    {
        using var db = app.OpenDatabase();
        return [.. new ExportService(db).Select(ExportRequest.Full("test")).Included.Select(t => t.Name)];
    }
}

/// <summary>The <c>supportsignal</c> CLI run in-process, exactly as the executable runs it.</summary>
public static class Cli
{
    /// <summary>Runs one command with no configuration but <paramref name="variables"/>; returns the exit code and stderr.</summary>
    public static async Task<(int Code, string Error)> RunAsync(
        string baseDirectory, CancellationToken cancellationToken, string[] args, IReadOnlyDictionary<string, string?>? variables = null)
    {
        var stderr = new StringWriter();
        var environment = new CliEnvironment
        {
            BaseDirectory = baseDirectory,
            Variables = variables ?? new Dictionary<string, string?>(),
            StandardOutput = () => Stream.Null,
        };
        var code = await CliApp.RunAsync(args, new StringWriter(), stderr, environment, cancellationToken);
        return (code, stderr.ToString());
    }

    public static Task<(int Code, string Error)> RunAsync(string baseDirectory, CancellationToken cancellationToken, params string[] args) =>
        RunAsync(baseDirectory, cancellationToken, args, null);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

using SupportSignal.Testing;

namespace SupportSignal.McpTests;

/// <summary>
/// The real <c>supportsignal mcp</c> executable started as a process and driven by the SDK's own
/// client over stdio, with everything it writes to stderr kept.
/// </summary>
public sealed class McpServerProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _stderr;

    private McpServerProcess(McpClient client, ConcurrentQueue<string> stderr)
    {
        Client = client;
        _stderr = stderr;
    }

    public McpClient Client { get; }

    public IReadOnlyList<string> StandardError => [.. _stderr];

    /// <summary>Waits for a stderr line the server writes after answering: its log is asynchronous.</summary>
    public async Task<IReadOnlyList<string>> WaitForStandardErrorAsync(Func<string, bool> line)
    {
        await Poll.UntilAsync(() => _stderr.Any(line), "a matching line on the server's standard error");
        return StandardError;
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "supportsignal.exe" : "supportsignal");

    public static Task<McpServerProcess> StartAsync(IReadOnlyList<string> arguments, IDictionary<string, string?>? environment = null) =>
        StartAsync(Executable, ["mcp", .. arguments], environment);

    /// <summary>Starts any command line as the server (the guide's .mcp.json entries, as written).</summary>
    public static async Task<McpServerProcess> StartAsync(string command, IReadOnlyList<string> arguments, IDictionary<string, string?>? environment)
    {
        var stderr = new ConcurrentQueue<string>();
        var options = new StdioClientTransportOptions
        {
            Name = "supportsignal",
            Command = command,
            Arguments = [.. arguments],
            EnvironmentVariables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
            {
                ["Database__Provider"] = null,
            },
            StandardErrorLines = stderr.Enqueue,
        };
        var client = await McpClient.CreateAsync(new StdioClientTransport(options), cancellationToken: TestContext.Current.CancellationToken);
        return new McpServerProcess(client, stderr);
    }

    public Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?>? arguments = null) =>
        Client.CallToolAsync(tool, arguments ?? [], cancellationToken: TestContext.Current.CancellationToken).AsTask();

    public Task<CallToolResult> QueryAsync(string sql, int? limit = null)
    {
        var arguments = new Dictionary<string, object?> { ["sql"] = sql };
        if (limit is not null)
        {
            arguments["limit"] = limit;
        }

        return CallAsync("query", arguments);
    }

    /// <summary>The answer's rows (structured content), each value as text or null.</summary>
    public static List<string?[]> Rows(CallToolResult result)
    {
        Assert.True(result.IsError is null or false, "the tool failed: " + Text(result));
        var structured = Structured(result);
        return structured.GetProperty("rows").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString()).ToArray())
            .ToList();
    }

    public static JsonElement Structured(CallToolResult result) =>
        JsonSerializer.SerializeToElement(result.StructuredContent ?? throw new Xunit.Sdk.XunitException("no structured content: " + Text(result)));

    public static string Text(CallToolResult result) =>
        string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    /// <summary>Runs the executable to its end (for arguments that must make it exit at once).</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunToExitAsync(IReadOnlyList<string> arguments, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("mcp");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("Database__Provider");
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var ct = TestContext.Current.CancellationToken;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException("supportsignal mcp did not exit within 60 s (it should have refused its arguments)");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}

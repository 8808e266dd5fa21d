using SupportSignal.Export;

namespace SupportSignal.McpTests;

/// <summary>One server over the json export, shared by the tests of a class that only read from it.</summary>
public sealed class ServerFixture(McpDemo demo) : IAsyncLifetime
{
    private McpServerProcess? _server;

    public McpServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() =>
        _server = await McpServerProcess.StartAsync(["--export", demo.ExportPath(ExportFormat.Json)]);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

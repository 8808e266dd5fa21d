using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SupportSignal.Mcp;

/// <summary>
/// Serves a loaded snapshot over stdio until the client closes the stream. Standard output is the
/// protocol, so logging goes to standard error only, one JSON line per entry, and the SDK's own
/// logging is held to warnings (it would otherwise describe requests, arguments included).
/// </summary>
public static class McpServerHost
{
    public const string ServerName = "supportsignal";

    public static async Task RunAsync(ExportSnapshot snapshot, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        AddLogging(builder.Logging);
        builder.Services.AddSingleton(snapshot);
        builder.Services
            .AddMcpServer(o => o.ServerInfo = new() { Name = ServerName, Version = Export.ExportService.ApplicationVersion })
            .WithStdioServerTransport()
            .WithTools<SnapshotTools>()
            .WithResources<AnalysisGuide>()
            .WithPrompts<AnalysisGuide>();
        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
    }

    /// <summary>One JSON object per line on standard error; nothing ever on standard output.</summary>
    public static void AddLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("ModelContextProtocol", LogLevel.Warning);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddJsonConsole(o =>
        {
            o.JsonWriterOptions = new() { Indented = false };
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            o.UseUtcTimestamp = true;
        });
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}

using Serilog;
using Serilog.Formatting.Compact;

namespace SupportSignal.Web.Infrastructure;

public static class LoggingExtensions
{
    private const string DevelopmentTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Serilog for the whole host: readable lines for a developer's console, compact JSON
    /// elsewhere so a log collector can parse every property. Levels come from the
    /// <c>Serilog</c> configuration section. Each host keeps its own logger rather than replacing
    /// the static <c>Log.Logger</c>, so several hosts in one process (the test suite) never write
    /// into each other's sinks.
    /// </summary>
    public static WebApplicationBuilder AddSupportSignalLogging(this WebApplicationBuilder builder)
    {
        var isDevelopment = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext();
            if (isDevelopment)
            {
                logger.WriteTo.Console(outputTemplate: DevelopmentTemplate);
            }
            else
            {
                logger.WriteTo.Console(new CompactJsonFormatter());
            }
        }, preserveStaticLogger: true);
        return builder;
    }
}

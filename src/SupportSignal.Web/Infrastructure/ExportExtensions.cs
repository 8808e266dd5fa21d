using Microsoft.Extensions.DependencyInjection.Extensions;

using SupportSignal.Data;
using SupportSignal.Export;

namespace SupportSignal.Web.Infrastructure;

public static class ExportExtensions
{
    public const string PseudonymKeyKey = "Export:PseudonymKey";
    public const string ParallelismKey = "Export:Parallelism";

    public const string SpillDirectoryKey = "Export:SpillDirectory";

    /// <summary>
    /// The export engine, one per request like the DbContext it reads through, and its audited run; the audit trail,
    /// which writes through short-lived contexts of its own, outside any export's snapshot; and
    /// the limits on how many exports stream at once. The clock is a service so that the file
    /// name and the document's timestamp come from the same source.
    /// </summary>
    public static IServiceCollection AddSupportSignalExport(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // The pseudonym key is a secret: it lives only in these options, whose ToString hides it.
        services.AddSingleton(sp => new ExportEngineOptions
        {
            PseudonymKey = sp.GetRequiredService<IConfiguration>()[PseudonymKeyKey] is { Length: > 0 } key ? key : null,
            Parallelism = ExportEngineOptions.ParseParallelism(sp.GetRequiredService<IConfiguration>()[ParallelismKey]),
            SpillDirectory = sp.GetRequiredService<IConfiguration>()[SpillDirectoryKey] is { Length: > 0 } spill ? spill : null,
        });
        services.AddSingleton(sp => new ExportAuditTrail(
            sp.GetRequiredService<DatabaseSettings>().CreateContext,
            sp.GetRequiredService<ILogger<ExportAuditTrail>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddScoped(sp => new ExportService(
            sp.GetRequiredService<SupportSignalDbContext>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ExportEngineOptions>()));
        services.AddScoped(sp => new AuditedExport(
            sp.GetRequiredService<ExportService>(), sp.GetRequiredService<ExportAuditTrail>(), sp.GetRequiredService<ILogger<AuditedExport>>()));
        services.AddExportLimits();
        return services;
    }
}

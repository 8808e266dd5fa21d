using Microsoft.Extensions.DependencyInjection.Extensions;

using SupportSignal.Data;
using SupportSignal.Export;

namespace SupportSignal.Web.Infrastructure;

public static class ExportExtensions
{
    /// <summary>
    /// The export engine, one per request like the DbContext it reads through. The clock is a
    /// service so that the file name and the document's timestamp come from the same source.
    /// </summary>
    public static IServiceCollection AddSupportSignalExport(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped(sp => new ExportService(sp.GetRequiredService<SupportSignalDbContext>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}

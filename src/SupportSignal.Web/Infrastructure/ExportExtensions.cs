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
        services.AddSingleton(sp => new ExportGate(
            sp.GetRequiredService<IConfiguration>().GetValue(ExportGate.MaxConcurrentKey, ExportGate.DefaultMaxConcurrent)));
        services.AddScoped(sp => new ExportService(sp.GetRequiredService<SupportSignalDbContext>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}

/// <summary>
/// How many exports this instance streams at once (<c>Export:MaxConcurrent</c>, default 2). Each
/// holds a database connection and a read snapshot for as long as the download runs; a third
/// admin gets "busy, try again" instead of slowing everyone down.
/// </summary>
public sealed class ExportGate(int maxConcurrent)
{
    public const string MaxConcurrentKey = "Export:MaxConcurrent";
    public const int DefaultMaxConcurrent = 2;

    private readonly SemaphoreSlim _slots = new(Math.Max(1, maxConcurrent), Math.Max(1, maxConcurrent));

    /// <summary>A slot to dispose when the export ends, or null when all are taken.</summary>
    public IDisposable? TryEnter() => _slots.Wait(0) ? new Slot(_slots) : null;

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}

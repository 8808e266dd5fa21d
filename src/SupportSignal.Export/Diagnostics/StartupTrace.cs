using System.Diagnostics;

namespace SupportSignal.Export.Diagnostics;

/// <summary>
/// Where an export's time goes from process start, step by step, on stderr, when the environment
/// variable <c>SUPPORTSIGNAL_TRACE_TIMING=1</c> is set (docs/benchmarks.md measures the CLI's fixed
/// cost with it). Step names only: never a value, a path or a connection string. Off, it costs one
/// static bool test per step.
/// </summary>
public static class StartupTrace
{
    public const string Variable = "SUPPORTSIGNAL_TRACE_TIMING";

    private static readonly bool _enabled = Environment.GetEnvironmentVariable(Variable) == "1";
    private static readonly DateTime _processStart = _enabled ? Process.GetCurrentProcess().StartTime.ToUniversalTime() : default;
    private static double _last;
    private static double _lastCpu;

    public static bool Enabled => _enabled;

    /// <summary>
    /// Writes "timing: SINCE-START ms (+SINCE-LAST ms) cpu CPU-SINCE-START ms (+CPU-SINCE-LAST ms) step"
    /// when tracing is on. CPU time (all threads) is the steadier figure on a shared machine.
    /// </summary>
    public static void Mark(string step)
    {
        if (!_enabled)
        {
            return;
        }

        var now = (DateTime.UtcNow - _processStart).TotalMilliseconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        Console.Error.WriteLine($"timing: {now,7:F0} ms (+{now - _last,5:F0} ms) cpu {cpu,7:F0} ms (+{cpu - _lastCpu,5:F0} ms) {step}");
        (_last, _lastCpu) = (now, cpu);
    }

    /// <summary>
    /// When tracing is on, one line naming every assembly the process has loaded (names only): what a
    /// step pulled in, and the proof that an export started without EF Core (a test reads it).
    /// </summary>
    public static void MarkAssemblies()
    {
        if (_enabled)
        {
            var names = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Order(StringComparer.Ordinal);
            Console.Error.WriteLine($"timing: assemblies loaded: {string.Join(", ", names)}");
        }
    }
}

using System.Collections.Concurrent;

using Serilog.Core;
using Serilog.Events;

namespace SupportSignal.TestSupport;

/// <summary>
/// A Serilog sink that keeps every event the app writes, rendered with its properties and
/// exception, so a test can prove what never reaches a log.
/// </summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>Every message, property value and exception, one event per line.</summary>
    public string AllText() => string.Join(Environment.NewLine, Events.Select(Render));

    public static string Render(LogEvent e) =>
        $"{e.Level} {e.RenderMessage()} {string.Join(" ", e.Properties.Select(p => $"{p.Key}={p.Value}"))} {e.Exception}";
}

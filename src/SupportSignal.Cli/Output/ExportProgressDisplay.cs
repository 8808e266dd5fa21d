using System.Globalization;

using SupportSignal.Export;

namespace SupportSignal.Cli.Output;

/// <summary>
/// Export progress on stderr: one live, rewritten line on a terminal; a plain line every
/// <c>interval</c> otherwise (logs, cron mail); nothing at all when quiet. Reports arrive
/// synchronously from the export loop, already throttled by the engine.
/// </summary>
internal sealed class ExportProgressDisplay(TextWriter stderr, ExportProgressDisplay.Mode mode, TimeSpan interval, int width = 0)
    : IProgress<ExportProgress>
{
    public enum Mode { Quiet, Plain, Live }

    private readonly TimeSpan _interval = interval;
    private int _liveLength;
    private TimeSpan _nextPlain = interval;

    public void Report(ExportProgress value)
    {
        switch (mode)
        {
            case Mode.Live:
                // A line longer than the terminal wraps, and "\r" would then rewrite only its last part.
                var line = Describe(value);
                line = width > 1 && line.Length >= width ? line[..(width - 1)] : line;
                stderr.Write("\r" + line.PadRight(_liveLength));
                stderr.Flush();
                _liveLength = line.Length;
                break;
            case Mode.Plain when value.Elapsed >= _nextPlain:
                _nextPlain = value.Elapsed + _interval;
                stderr.WriteLine("export: " + Describe(value));
                break;
        }
    }

    /// <summary>Ends the live line (if any) and writes the summary: records, tables, destination, bytes, duration.</summary>
    public void Completed(ExportSummary summary, string destination)
    {
        EndLiveLine(clear: true);
        if (mode == Mode.Quiet)
        {
            return;
        }

        var rate = ByteSize.Format(summary.Bytes / Math.Max(summary.Duration.TotalSeconds, 0.001));
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Exported {summary.TotalRecords:N0} records from {summary.RecordCounts.Count} tables to {destination}: " +
            $"{ByteSize.Format(summary.Bytes)} in {summary.Duration.TotalSeconds:0.0} s ({rate}/s)."));
    }

    /// <summary>Leaves the live line in place and moves past it, so an error message starts on its own line.</summary>
    public void Abandoned() => EndLiveLine(clear: false);

    private void EndLiveLine(bool clear)
    {
        if (_liveLength == 0)
        {
            return;
        }

        stderr.Write(clear ? "\r" + new string(' ', _liveLength) + "\r" : Environment.NewLine);
        stderr.Flush();
        _liveLength = 0;
    }

    private static string Describe(ExportProgress p)
    {
        var rate = ByteSize.Format(p.BytesWritten / Math.Max(p.Elapsed.TotalSeconds, 0.001));
        return string.Create(CultureInfo.InvariantCulture,
            $"[{p.TableNumber}/{p.TableCount}] {p.Table} {p.TableRowsWritten:N0}/{p.TableRowsTotal:N0} rows, " +
            $"total {p.RowsWritten:N0}/{p.RowsTotal:N0}, {ByteSize.Format(p.BytesWritten)}, {rate}/s, {p.Elapsed:hh\\:mm\\:ss}");
    }
}

using System.Diagnostics;

namespace SupportSignal.Export.Writing;

/// <summary>
/// Feeds an <see cref="IProgress{ExportProgress}"/> from the writing loop. Counting a row is one
/// increment; a report is considered only when the writer flushes (every 64 KB) and sent at most
/// once per <see cref="Interval"/>, plus once at the start of each table and at the end.
/// Reports are made synchronously on the exporting thread.
/// </summary>
internal sealed class ProgressReporter(
    IProgress<ExportProgress> sink, Func<long> bytesWritten, IReadOnlyDictionary<string, long> counts, Stopwatch stopwatch)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly long _rowsTotal = counts.Values.Sum();
    private readonly long _intervalTicks = (long)(Interval.TotalSeconds * Stopwatch.Frequency);
    private string _table = "";
    private int _tableNumber;
    private long _tableRows;
    private long _rowsBefore;
    private long _nextReport;

    public void BeginTable(string table)
    {
        _rowsBefore += _tableRows;
        _tableRows = 0;
        _table = table;
        _tableNumber++;
        Report();
    }

    public void Row() => _tableRows++;

    /// <summary>Rows of the current table written at once (the parallel writer learns them per table).</summary>
    public void Rows(long count) => _tableRows += count;

    public void Flushed()
    {
        if (Stopwatch.GetTimestamp() >= _nextReport)
        {
            Report();
        }
    }

    public void Finished() => Report();

    private void Report()
    {
        _nextReport = Stopwatch.GetTimestamp() + _intervalTicks;
        sink.Report(new ExportProgress(
            _table, _tableNumber, counts.Count, _tableRows, counts.GetValueOrDefault(_table), _rowsBefore + _tableRows, _rowsTotal,
            bytesWritten(), stopwatch.Elapsed));
    }
}

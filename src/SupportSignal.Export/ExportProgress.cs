namespace SupportSignal.Export;

/// <summary>
/// Where a running export is: the table being written, rows done of that table and of the whole
/// export (totals come from the snapshot's counts), bytes written to the output stream so far.
/// </summary>
public sealed record ExportProgress(
    string Table,
    int TableNumber,
    int TableCount,
    long TableRowsWritten,
    long TableRowsTotal,
    long RowsWritten,
    long RowsTotal,
    long BytesWritten,
    TimeSpan Elapsed);

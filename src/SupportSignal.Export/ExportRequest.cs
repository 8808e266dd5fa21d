namespace SupportSignal.Export;

/// <summary>
/// What to export: the whole database (<see cref="Tables"/> null) or only the named tables.
/// Immutable; validated against the catalog before any byte is written.
/// </summary>
public sealed record ExportRequest
{
    /// <summary>Only these tables (database names). Null exports every exportable table.</summary>
    public IReadOnlyList<string>? Tables { get; init; }

    public ExportFormat Format { get; init; } = ExportFormat.Json;

    /// <summary>Who asked: a user id, or "cli".</summary>
    public string ExportedBy { get; init; } = "cli";

    public static ExportRequest Full(string exportedBy) => new() { ExportedBy = exportedBy };
}

/// <summary>A request that cannot be carried out; <see cref="Field"/> names the input at fault.</summary>
public sealed class ExportRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// What an export would hold, from the same kind of snapshot the export reads: the record
/// counts per table and the estimated size of the file in the requested format.
/// </summary>
public sealed record ExportPreview(
    ExportSelection Selection,
    IReadOnlyDictionary<string, long> RecordCounts,
    long TotalRecords,
    long EstimatedBytes);

/// <summary>The outcome of a finished export. <see cref="Bytes"/> is the size of what was written to the stream.</summary>
public sealed record ExportSummary(
    IReadOnlyDictionary<string, long> RecordCounts,
    long TotalRecords,
    long Bytes,
    TimeSpan Duration);

namespace SupportSignal.Export;

/// <summary>
/// What to export: the whole database (<see cref="Tables"/> null) or only the named tables.
/// Immutable; validated against the catalog before any byte is written.
/// </summary>
public sealed record ExportRequest
{
    /// <summary>Only these tables (database names). Null exports every exportable table.</summary>
    public IReadOnlyList<string>? Tables { get; init; }

    /// <summary>Who asked: a user id, or "cli".</summary>
    public string ExportedBy { get; init; } = "cli";

    public static ExportRequest Full(string exportedBy) => new() { ExportedBy = exportedBy };
}

/// <summary>A request that cannot be carried out; <see cref="Field"/> names the input at fault.</summary>
public sealed class ExportRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>The outcome of a finished export.</summary>
public sealed record ExportSummary(
    IReadOnlyDictionary<string, long> RecordCounts,
    long TotalRecords,
    long Bytes,
    TimeSpan Duration);

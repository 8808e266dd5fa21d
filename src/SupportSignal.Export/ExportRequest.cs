namespace SupportSignal.Export;

/// <summary>
/// What to export: the whole database, or a segment of it (tables, companies, sites, an
/// event-date range, combined with AND). Immutable; checked against the catalog and the
/// database before any byte is written.
/// </summary>
public sealed record ExportRequest
{
    /// <summary>Only these tables (database names). Null exports every exportable table.</summary>
    public IReadOnlyList<string>? Tables { get; init; }

    /// <summary>Only rows that belong to these companies, directly or through their parents.</summary>
    public IReadOnlyList<Guid>? Companies { get; init; }

    /// <summary>Only participants and incidents at these sites, and what hangs off them.</summary>
    public IReadOnlyList<Guid>? Sites { get; init; }

    /// <summary>Only incidents whose event date (UTC) is on or after this day, and their children.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Only incidents whose event date (UTC) is on or before this day, and their children.</summary>
    public DateOnly? To { get; init; }

    /// <summary>
    /// Add the rows that exported rows reference (their company, site, participant, users), so a
    /// segment is usable on its own. On by default; off exports only the filtered rows.
    /// </summary>
    public bool Closure { get; init; } = true;

    /// <summary>Replace people with pseudonyms and scrub free text, so the file may go to an external AI tool.</summary>
    public bool Deidentify { get; init; }

    public ExportFormat Format { get; init; } = ExportFormat.Json;

    /// <summary>Who asked: a user id, or "cli".</summary>
    public string ExportedBy { get; init; } = "cli";

    /// <summary>True when any filter narrows the export.</summary>
    public bool IsSegmented => Tables is not null || HasScope;

    internal bool HasScope => Companies is { Count: > 0 } || Sites is { Count: > 0 } || From is not null || To is not null;

    public static ExportRequest Full(string exportedBy) => new() { ExportedBy = exportedBy };
}

/// <summary>A request that cannot be carried out; <see cref="Field"/> names the input at fault.</summary>
public sealed class ExportRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// The database's schema is not the one this version of the application reads (a migration
/// is missing, or the database is newer than the application): nothing is exported.
/// </summary>
public sealed class ExportSchemaException(string? applied, string? expected) : Exception(
    $"The database schema is at {applied ?? "no migration"} but this version of SupportSignal expects {expected}; " +
    "run `supportsignal migrate` (or deploy the matching version) first.")
{
    public string? AppliedMigration { get; } = applied;

    public string? ExpectedMigration { get; } = expected;
}

/// <summary>
/// What an export would hold, from the same kind of snapshot the export reads: the record
/// counts per table and the estimated size of the file in the requested format
/// (<see cref="EstimatedBytes"/>) and in every format.
/// </summary>
public sealed record ExportPreview(
    ExportSelection Selection,
    IReadOnlyDictionary<string, long> RecordCounts,
    long TotalRecords,
    long EstimatedBytes,
    IReadOnlyDictionary<ExportFormat, long> EstimatedBytesByFormat)
{
    /// <summary>Per table, how many of its rows are stubs (rows of other tenants that closure brings in).</summary>
    public IReadOnlyDictionary<string, long> StubCounts { get; init; } = new Dictionary<string, long>();

    public long TotalStubs => StubCounts.Values.Sum();
}

/// <summary>The outcome of a finished export. <see cref="Bytes"/> is the size of what was written to the stream.</summary>
public sealed record ExportSummary(
    IReadOnlyDictionary<string, long> RecordCounts,
    long TotalRecords,
    long Bytes,
    TimeSpan Duration)
{
    /// <summary>How many connections read the rows (above 1: parallel readers sharing the export's snapshot).</summary>
    public int Readers { get; init; } = 1;

    /// <summary>How many tables the provider's fast row path read (SQLite, PostgreSQL); the others went through the generic data reader.</summary>
    public int FastPathTables { get; init; }
}

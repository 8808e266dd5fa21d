namespace SupportSignal.Data.Entities;

public enum ExportOutcome { Started, Succeeded, Failed, Cancelled, Rejected }

/// <summary>Where an export went: a browser download, the command line, or the page's "Copy JSON" (the browser's clipboard).</summary>
public enum ExportSource { Web, Cli, Clipboard }

/// <summary>
/// One attempt to export the database, written when it starts and completed when it ends, so an
/// attempt that crashed part-way stays visible as started and never finished.
/// </summary>
public class ExportAudit
{
    public Guid Id { get; set; }
    public Guid? UserId { get; set; }
    public ExportSource Source { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public ExportOutcome Outcome { get; set; }
    public string Format { get; set; } = "";

    /// <summary>The normalized filters as JSON (the export's metadata.filtersApplied).</summary>
    public string Filters { get; set; } = "{}";

    public bool Deidentified { get; set; }

    /// <summary>Rows per table as JSON, once finished.</summary>
    public string? RecordCounts { get; set; }

    public long? TotalRecords { get; set; }
    public long? Bytes { get; set; }
    public long? DurationMs { get; set; }
    public string CorrelationId { get; set; } = "";

    /// <summary>Why it failed or was refused, as a short code ("bad_input:tables", "busy"); never row data.</summary>
    public string? ErrorCode { get; set; }
}

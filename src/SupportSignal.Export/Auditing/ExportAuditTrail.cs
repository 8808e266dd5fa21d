using System.Collections.Concurrent;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export;

/// <summary>Who is exporting, from where, what: the facts an audit row starts with.</summary>
public sealed record ExportAttempt(Guid? UserId, ExportSource Source, ExportRequest Request, string CorrelationId);

/// <summary>
/// Records every export attempt in export_audit (started, then succeeded, failed, cancelled; or
/// rejected outright) and logs one structured event per attempt with the same facts: ids, counts,
/// sizes, codes, never row data or personal details. Each write uses its own short-lived context,
/// outside the export's snapshot.
/// </summary>
public sealed partial class ExportAuditTrail(Func<SupportSignalDbContext> contexts, ILogger<ExportAuditTrail>? logger = null, TimeProvider? time = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<ExportAuditTrail>.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    // The rows this trail started, as written: finishing one then needs no query (compiling one costs
    // a CLI run more than exporting a small database). Any other row is read back from the table.
    private readonly ConcurrentDictionary<Guid, ExportAudit> _started = new();

    public async Task<Guid> StartAsync(ExportAttempt attempt, CancellationToken cancellationToken = default)
    {
        var row = NewRow(attempt, ExportOutcome.Started);
        await using var db = contexts();
        db.ExportAudits.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        _started[row.Id] = row;
        return row.Id;
    }

    /// <summary>Completes a started row. Runs to the end even when the export was cancelled.</summary>
    public async Task FinishAsync(Guid id, ExportOutcome outcome, ExportSummary? summary = null, string? errorCode = null)
    {
        await using var db = contexts();
        if (_started.TryRemove(id, out var row))
        {
            db.ExportAudits.Attach(row);
        }
        else
        {
            row = await db.ExportAudits.SingleAsync(a => a.Id == id, CancellationToken.None);
        }

        row.Outcome = outcome;
        row.FinishedAt = _time.GetUtcNow().UtcDateTime;
        row.DurationMs = (long)(row.FinishedAt.Value - row.StartedAt).TotalMilliseconds;
        row.ErrorCode = Truncate(errorCode);
        if (summary is not null)
        {
            row.RecordCounts = JsonSerializer.Serialize(summary.RecordCounts);
            row.TotalRecords = summary.TotalRecords;
            row.Bytes = summary.Bytes;
            row.DurationMs = (long)summary.Duration.TotalMilliseconds;
        }

        await db.SaveChangesAsync(CancellationToken.None);
        Log(row);
    }

    /// <summary>An attempt refused before it began (bad input, too many exports at once).</summary>
    public async Task RejectAsync(ExportAttempt attempt, string errorCode)
    {
        var row = NewRow(attempt, ExportOutcome.Rejected);
        row.FinishedAt = row.StartedAt;
        row.DurationMs = 0;
        row.ErrorCode = Truncate(errorCode);
        await using var db = contexts();
        db.ExportAudits.Add(row);
        await db.SaveChangesAsync(CancellationToken.None);
        Log(row);
    }

    /// <summary>The most recent attempts first.</summary>
    public async Task<(IReadOnlyList<ExportAudit> Rows, int Total)> PageAsync(int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = contexts();
        var total = await db.ExportAudits.CountAsync(cancellationToken);
        var rows = await db.ExportAudits.AsNoTracking()
            .OrderByDescending(a => a.StartedAt).ThenByDescending(a => a.Id)
            .Skip(Math.Max(0, page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);
        return (rows, total);
    }

    /// <summary>The normalized filters of a request as JSON, as the audit trail and the export's metadata record them.</summary>
    public static string FiltersJson(ExportRequest request)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var tables = request.Tables?.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
            MetadataWriter.WriteFilters(writer, request, tables);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private ExportAudit NewRow(ExportAttempt attempt, ExportOutcome outcome) => new()
    {
        Id = Guid.CreateVersion7(),
        UserId = attempt.UserId,
        Source = attempt.Source,
        StartedAt = _time.GetUtcNow().UtcDateTime,
        Outcome = outcome,
        Format = attempt.Request.Format.Extension(),
        Filters = FiltersJson(attempt.Request),
        Deidentified = attempt.Request.Deidentify,
        CorrelationId = Truncate(attempt.CorrelationId, 64) ?? "",
    };

    private static string? Truncate(string? value, int length = 100) => value is null || value.Length <= length ? value : value[..length];

    private void Log(ExportAudit row) => ExportFinished(
        _logger, row.Outcome, row.Source, row.Format, row.Deidentified, row.TotalRecords, row.Bytes, row.DurationMs, row.CorrelationId, row.UserId, row.ErrorCode);

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Export {Outcome} from {Source}: {Format}, de-identified {Deidentified}, {TotalRecords} records, {Bytes} bytes in {DurationMs} ms (correlation {CorrelationId}, user {UserId}, error {ErrorCode})")]
    private static partial void ExportFinished(
        ILogger logger, ExportOutcome outcome, ExportSource source, string format, bool deidentified, long? totalRecords, long? bytes,
        long? durationMs, string correlationId, Guid? userId, string? errorCode);
}

using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Export.Reading;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export;

/// <summary>Who is exporting, from where, what: the facts an audit row starts with.</summary>
public sealed record ExportAttempt(Guid? UserId, ExportSource Source, ExportRequest Request, string CorrelationId);

/// <summary>
/// Records every export attempt in export_audit (started, then succeeded, failed, cancelled; or
/// rejected outright) and logs one structured event per attempt with the same facts: ids, counts,
/// sizes, codes, never row data or personal details. Each write is one plain parameterised INSERT or
/// UPDATE on its own short-lived connection, outside the export's snapshot: EF Core's change tracker and
/// update pipeline, even a context's start, cost a CLI run more than exporting a small database
/// (docs/benchmarks.md, fixed cost). The rows are the ones EF Core would write (the same columns,
/// values stored as the model stores them); reading them back (the history page) goes through EF Core.
/// </summary>
public sealed partial class ExportAuditTrail
{
    // No EF Core type in a field or in the write path's methods (see ExportDatabase): the CLI's writes never load it.
    private readonly Func<object>? _contexts;
    private readonly DatabaseSettings? _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Writes on a context's connection (one short-lived context per write), reads through EF Core.</summary>
    public ExportAuditTrail(Func<SupportSignalDbContext> contexts, ILogger<ExportAuditTrail>? logger = null, TimeProvider? time = null)
        : this(logger, time)
    {
        _contexts = contexts;
    }

    /// <summary>Writes on plain connections of the configured database (no EF Core), reads through a context made when asked.</summary>
    public ExportAuditTrail(DatabaseSettings settings, ILogger<ExportAuditTrail>? logger = null, TimeProvider? time = null)
        : this(logger, time)
    {
        _settings = settings;
    }

    private ExportAuditTrail(ILogger<ExportAuditTrail>? logger, TimeProvider? time)
    {
        _logger = logger ?? NullLogger<ExportAuditTrail>.Instance;
        _time = time ?? TimeProvider.System;
    }

    private SupportSignalDbContext NewContext() => _contexts is { } contexts ? (SupportSignalDbContext)contexts() : _settings!.CreateContext();

    // The rows this trail started, as written: finishing one then needs no query (compiling one costs
    // a CLI run more than exporting a small database). Any other row is read back from the table.
    private readonly ConcurrentDictionary<Guid, ExportAudit> _started = new();

    public async Task<Guid> StartAsync(ExportAttempt attempt, CancellationToken cancellationToken = default)
    {
        var row = NewRow(attempt, ExportOutcome.Started);
        await InsertAsync(row, cancellationToken);
        _started[row.Id] = row;
        return row.Id;
    }

    /// <summary>Completes a started row. Runs to the end even when the export was cancelled.</summary>
    public async Task FinishAsync(Guid id, ExportOutcome outcome, ExportSummary? summary = null, string? errorCode = null)
    {
        var row = _started.TryRemove(id, out var started) ? started : await ReadAsync(id);

        row.Outcome = outcome;
        row.FinishedAt = _time.GetUtcNow().UtcDateTime;
        row.DurationMs = (long)(row.FinishedAt.Value - row.StartedAt).TotalMilliseconds;
        row.ErrorCode = Truncate(errorCode);
        if (summary is not null)
        {
            row.RecordCounts = CountsJson(summary.RecordCounts);
            row.TotalRecords = summary.TotalRecords;
            row.Bytes = summary.Bytes;
            row.DurationMs = (long)summary.Duration.TotalMilliseconds;
        }

        await UpdateAsync(row);
        Log(row);
    }

    // A row another trail started, read back through EF Core: its own method, so a run that finishes only
    // its own rows (the CLI) never loads EF Core's query machinery.
    private async Task<ExportAudit> ReadAsync(Guid id)
    {
        await using var db = NewContext();
        return await db.ExportAudits.AsNoTracking().SingleAsync(a => a.Id == id, CancellationToken.None);
    }

    /// <summary>An attempt refused before it began (bad input, too many exports at once).</summary>
    public async Task RejectAsync(ExportAttempt attempt, string errorCode)
    {
        var row = NewRow(attempt, ExportOutcome.Rejected);
        row.FinishedAt = row.StartedAt;
        row.DurationMs = 0;
        row.ErrorCode = Truncate(errorCode);
        await InsertAsync(row, CancellationToken.None);
        Log(row);
    }

    /// <summary>The most recent attempts first.</summary>
    public async Task<(IReadOnlyList<ExportAudit> Rows, int Total)> PageAsync(int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = NewContext();
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

    // What JsonSerializer writes for the dictionary ({"table":rows,...} in its order), without the
    // serializer's start-up cost, which a CLI run would pay for this one call.
    private static string CountsJson(IEnumerable<KeyValuePair<string, long>> counts)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (table, rows) in counts)
            {
                writer.WriteNumber(table, rows);
            }

            writer.WriteEndObject();
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

    private Task InsertAsync(ExportAudit row, CancellationToken cancellationToken) => ExecuteAsync(
        d => $"INSERT INTO {d(Table)} ({string.Join(", ", _allColumns.Select(c => d(c.Name)))}) " +
            $"VALUES ({string.Join(", ", _allColumns.Select(c => "@" + c.Name))})",
        _allColumns, row, cancellationToken);

    // Only what finishing changes, as EF Core's update did: the start stays as it was written.
    private Task UpdateAsync(ExportAudit row) => ExecuteAsync(
        d => $"UPDATE {d(Table)} SET {string.Join(", ", _finishColumns.Select(c => $"{d(c.Name)} = @{c.Name}"))} WHERE {d(_id.Name)} = @{_id.Name}",
        [.. _finishColumns, _id], row, CancellationToken.None);

    private async Task ExecuteAsync(Func<Func<string, string>, string> sql, AuditColumn[] columns, ExportAudit row, CancellationToken cancellationToken)
    {
        var (connection, provider, owner) = _settings is { } settings ? (settings.CreateConnection(), settings.Provider, null) : ContextConnection();
        await using var closes = owner ?? connection;
        var dialect = SqlDialect.For(provider);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql(dialect.Delimit);
        foreach (var column in columns)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + column.Name;
            dialect.Bind(parameter, column.Value(row));
            command.Parameters.Add(parameter);
        }

        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new DBConcurrencyException($"The {Table} row {row.Id} was not written.");
        }
    }

    // A fresh context's connection (disposing the context closes it); apart, so plain writes never load EF Core.
    private (DbConnection Connection, DatabaseProvider Provider, IAsyncDisposable? Owner) ContextConnection()
    {
        var db = NewContext();
        return (db.Database.GetDbConnection(), db.Provider, db);
    }

    private const string Table = "export_audit";

    private static readonly AuditColumn _id = new("id", r => r.Id);

    // The columns of export_audit (the migrations of every provider name them so) and how each is stored: enums
    // as their snake_case text, made as EnumToSnakeCaseConverter makes it but without its EF Core base type and
    // enum-keyed dictionaries (which ReadyToRun cannot precompile: their JIT cost a CLI export milliseconds).
    private static readonly AuditColumn[] _allColumns =
    [
        _id,
        new("user_id", r => r.UserId),
        new("source", r => StoredEnum.Text(r.Source)),
        new("started_at", r => r.StartedAt),
        new("finished_at", r => r.FinishedAt),
        new("outcome", r => StoredEnum.Text(r.Outcome)),
        new("format", r => r.Format),
        new("filters", r => r.Filters),
        new("deidentified", r => r.Deidentified),
        new("record_counts", r => r.RecordCounts),
        new("total_records", r => r.TotalRecords),
        new("bytes", r => r.Bytes),
        new("duration_ms", r => r.DurationMs),
        new("correlation_id", r => r.CorrelationId),
        new("error_code", r => r.ErrorCode),
    ];

    private static readonly AuditColumn[] _finishColumns =
        _allColumns.Where(c => c.Name is "finished_at" or "outcome" or "record_counts" or "total_records" or "bytes" or "duration_ms" or "error_code").ToArray();

    private sealed record AuditColumn(string Name, Func<ExportAudit, object?> Value);

    private static string? Truncate(string? value, int length = 100) => value is null || value.Length <= length ? value : value[..length];

    private void Log(ExportAudit row) => ExportFinished(
        _logger, row.Outcome, row.Source, row.Format, row.Deidentified, row.TotalRecords, row.Bytes, row.DurationMs, row.CorrelationId, row.UserId, row.ErrorCode);

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Export {Outcome} from {Source}: {Format}, de-identified {Deidentified}, {TotalRecords} records, {Bytes} bytes in {DurationMs} ms (correlation {CorrelationId}, user {UserId}, error {ErrorCode})")]
    private static partial void ExportFinished(
        ILogger logger, ExportOutcome outcome, ExportSource source, string format, bool deidentified, long? totalRecords, long? bytes,
        long? durationMs, string correlationId, Guid? userId, string? errorCode);
}

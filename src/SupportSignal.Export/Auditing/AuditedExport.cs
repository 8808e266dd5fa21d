using System.Data.Common;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using SupportSignal.Data.Entities;

namespace SupportSignal.Export;

/// <summary>
/// Where an audited export writes, and what "started" means there: the page's response (headers,
/// then the body) or the CLI's file or standard output.
/// </summary>
public interface IExportTarget
{
    Stream Stream { get; }

    /// <summary>Set when a Parquet export goes into a folder of files rather than one zip on <see cref="Stream"/>.</summary>
    IExportFolder? Folder => null;

    /// <summary>True once anything has reached the receiver: a failure can no longer be reported in place of the file.</summary>
    bool HasStarted { get; }

    /// <summary>Called once the attempt is recorded, just before the export runs (the page sends the download's headers).</summary>
    void Begin()
    {
    }

    /// <summary>After the last byte: the page flushes, the CLI moves its finished file into place (its commit point).</summary>
    Task CommitAsync(CancellationToken cancellationToken);

    /// <summary>A failure before the first byte: forget what <see cref="Begin"/> prepared, so an error can be shown instead.</summary>
    void Discard()
    {
    }

    /// <summary>A failure after the first byte: make sure the partial copy is never mistaken for an export.</summary>
    void Abandon()
    {
    }
}

/// <summary>How an audited export ended, with the code its audit row records.</summary>
public sealed record ExportResult(ExportOutcome Outcome, string? ErrorCode, ExportSummary? Summary = null, Exception? Error = null, bool Started = false)
{
    /// <summary>Set when the request was refused as bad input: names the field at fault.</summary>
    public ExportRequestException? BadInput => Error as ExportRequestException;
}

/// <summary>
/// One export's life cycle, the same for the page and the CLI: check the request, record the
/// attempt in export_audit, run the export into the target, and finish the row with exactly one
/// outcome and one code from <see cref="ExportErrorCodes"/>. Callers turn the result into their own
/// answer (a page, an exit code); nothing here knows HTTP or a console.
/// </summary>
/// <param name="auditUnavailable">
/// Null: an audit write that fails stops the attempt (the page). Set: the export goes on and this is
/// told why (the CLI, which may read a replica that refuses writes, warns on stderr).
/// </param>
public sealed partial class AuditedExport(
    ExportService exports, ExportAuditTrail audit, ILogger<AuditedExport>? logger = null, Func<DbException, Task>? auditUnavailable = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<AuditedExport>.Instance;

    /// <summary>Records a request refused before it could start (its text did not parse).</summary>
    public async Task<ExportResult> RejectAsync(ExportAttempt attempt, ExportRequestException error)
    {
        RequestRejected(_logger, error.Field);
        await AuditAsync(() => audit.RejectAsync(attempt, ExportErrorCodes.BadInput(error.Field)));
        return new ExportResult(ExportOutcome.Rejected, ExportErrorCodes.BadInput(error.Field), Error: error);
    }

    /// <summary>Checks the request against the catalog; a refusal is recorded and returned, null means it may run.</summary>
    public async Task<ExportResult?> RejectIfInvalidAsync(ExportAttempt attempt)
    {
        try
        {
            exports.Select(attempt.Request);
            return null;
        }
        catch (ExportRequestException e)
        {
            return await RejectAsync(attempt, e);
        }
    }

    public async Task<ExportResult> RunAsync(
        ExportAttempt attempt, IExportTarget target, IProgress<ExportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (await RejectIfInvalidAsync(attempt) is { } rejected)
        {
            return rejected;
        }

        var id = await AuditAsync<Guid?>(async () => await audit.StartAsync(attempt, CancellationToken.None));
        target.Begin();
        try
        {
            var summary = target.Folder is { } folder
                ? await exports.ExportAsync(attempt.Request, folder, progress, cancellationToken)
                : await exports.ExportAsync(attempt.Request, target.Stream, progress, cancellationToken);
            await target.CommitAsync(cancellationToken);
            await FinishAsync(id, ExportOutcome.Succeeded, null, summary);
            return new ExportResult(ExportOutcome.Succeeded, null, summary, Started: true);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested)
        {
            // Whatever the engine was doing when the receiver left (a query or a write), it stopped.
            ExportCancelled(_logger, attempt.CorrelationId);
            await FinishAsync(id, ExportOutcome.Cancelled, ExportErrorCodes.Cancelled);
            return new ExportResult(ExportOutcome.Cancelled, ExportErrorCodes.Cancelled, Error: e, Started: target.HasStarted);
        }
        catch (ExportRequestException e) when (!target.HasStarted)
        {
            // Checked against the database (an unknown id): still before any byte.
            target.Discard();
            RequestRejected(_logger, e.Field);
            await FinishAsync(id, ExportOutcome.Rejected, ExportErrorCodes.BadInput(e.Field));
            return new ExportResult(ExportOutcome.Rejected, ExportErrorCodes.BadInput(e.Field), Error: e);
        }
        catch (Exception e)
        {
            var started = target.HasStarted;
            var code = ExportErrorCodes.ForFailure(e, started);
            if (started)
            {
                FailedAfterFirstByte(_logger, e, attempt.CorrelationId);
                target.Abandon();
            }
            else
            {
                FailedBeforeFirstByte(_logger, e, attempt.CorrelationId);
                target.Discard();
            }

            await FinishAsync(id, ExportOutcome.Failed, code);
            return new ExportResult(ExportOutcome.Failed, code, Error: e, Started: started);
        }
    }

    private Task FinishAsync(Guid? id, ExportOutcome outcome, string? errorCode, ExportSummary? summary = null) =>
        id is { } started ? AuditAsync(() => audit.FinishAsync(started, outcome, summary, errorCode)) : Task.CompletedTask;

    private async Task AuditAsync(Func<Task> write) => await AuditAsync(async () =>
    {
        await write();
        return true;
    });

    private async Task<T?> AuditAsync<T>(Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (DbException e) when (auditUnavailable is not null)
        {
            await auditUnavailable(e);
            return default;
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Export request rejected: bad {Field}")]
    private static partial void RequestRejected(ILogger logger, string field);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Export cancelled: the receiver went away or the run was interrupted ({CorrelationId})")]
    private static partial void ExportCancelled(ILogger logger, string correlationId);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "Export failed before the first byte ({CorrelationId})")]
    private static partial void FailedBeforeFirstByte(ILogger logger, Exception error, string correlationId);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "Export failed after streaming began; the partial copy is abandoned ({CorrelationId})")]
    private static partial void FailedAfterFirstByte(ILogger logger, Exception error, string correlationId);
}

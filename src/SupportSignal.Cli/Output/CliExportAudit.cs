using System.Data.Common;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Export;

namespace SupportSignal.Cli.Output;

/// <summary>
/// The CLI's rows in export_audit (source Cli, no user). Auditing never stops an export: a
/// database that refuses the write (a read-only replica) gets a warning on stderr instead.
/// </summary>
internal sealed class CliExportAudit
{
    private readonly ExportAuditTrail _trail;
    private readonly ExportAttempt _attempt;
    private readonly TextWriter _stderr;
    private Guid? _id;

    private CliExportAudit(DatabaseSettings settings, ExportRequest request, TimeProvider time, TextWriter stderr)
    {
        _trail = new ExportAuditTrail(settings.CreateContext, time: time);
        _attempt = new ExportAttempt(null, ExportSource.Cli, request, Guid.NewGuid().ToString("N"));
        _stderr = stderr;
    }

    /// <summary>Records a request refused before it started (a filter that names nothing).</summary>
    public static Task RejectAsync(DatabaseSettings settings, ExportRequest request, TimeProvider time, TextWriter stderr, ExportRequestException error) =>
        new CliExportAudit(settings, request, time, stderr).TryAsync(a => a._trail.RejectAsync(a._attempt, Code(error)));

    public static async Task<CliExportAudit> StartAsync(
        DatabaseSettings settings, ExportRequest request, TimeProvider time, TextWriter stderr, CancellationToken cancellationToken)
    {
        var audit = new CliExportAudit(settings, request, time, stderr);
        await audit.TryAsync(async a => a._id = await a._trail.StartAsync(a._attempt, cancellationToken));
        return audit;
    }

    public Task SucceededAsync(ExportSummary summary) => FinishAsync(ExportOutcome.Succeeded, summary, null);

    /// <summary>Completes the row for an export that did not finish: rejected, cancelled or failed.</summary>
    public Task EndedAsync(Exception error, bool cancelled) =>
        error.InnerException is ExportRequestException request ? FinishAsync(ExportOutcome.Rejected, null, Code(request))
        : cancelled ? FinishAsync(ExportOutcome.Cancelled, null, "cancelled")
        : FinishAsync(ExportOutcome.Failed, null, error is OutputWriteException ? "output-not-writable" : error.GetType().Name);

    private Task FinishAsync(ExportOutcome outcome, ExportSummary? summary, string? code) =>
        _id is { } id ? TryAsync(a => a._trail.FinishAsync(id, outcome, summary, code)) : Task.CompletedTask;

    private static string Code(ExportRequestException error) => "invalid-" + error.Field;

    private async Task TryAsync(Func<CliExportAudit, Task> write)
    {
        try
        {
            await write(this);
        }
        catch (DbException e)
        {
            await _stderr.WriteLineAsync($"warning: the export could not be recorded in export_audit: {e.Message}");
        }
    }
}

using System.CommandLine;
using System.Runtime.ExceptionServices;

using Microsoft.Extensions.Logging;

using SupportSignal.Cli.Output;
using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Export;
using SupportSignal.Mcp;
using SupportSignal.Mcp.Loading;

namespace SupportSignal.Cli.Commands;

/// <summary>
/// <c>supportsignal mcp</c>: an MCP server over stdio for Claude Code and other AI tools, answering
/// from a snapshot loaded into DuckDB: an export file (<c>--export</c>), or a fresh audited export of
/// the configured database (<c>--live</c>), de-identified unless <c>--identified</c> is given and allowed.
/// Standard output is the protocol: everything else goes to standard error.
/// </summary>
public static class McpCommand
{
    /// <summary>The configuration switch that lets <c>--live --identified</c> serve real personal details.</summary>
    public const string AllowIdentifiedSetting = "Mcp:AllowIdentified";

    public static Command Create(CliContext cli)
    {
        var export = new Option<string>("--export") { Description = "Serve this export file (.json, .json.gz or .zip).", HelpName = "PATH" };
        var live = new Option<bool>("--live") { Description = "Serve a fresh export of the configured database, taken now in one snapshot (de-identified)." };
        var identified = new Option<bool>("--identified")
        {
            Description = $"With --live: serve real names and contact details. Refused unless {AllowIdentifiedSetting} is true in this tool's configuration.",
        };
        var rowCap = Positive("--row-cap", "Most rows one answer holds.", SnapshotLimits.DefaultRowCap);
        var byteBudget = Positive("--byte-budget", "Most bytes of table text one answer holds.", SnapshotLimits.DefaultByteBudget);
        var timeout = Positive("--query-timeout", "Seconds a query may run before it is stopped.", 30);
        var command = new Command("mcp", "Serve an export to AI tools over the Model Context Protocol (stdio), de-identified unless told otherwise.")
        {
            export, live, identified, rowCap, byteBudget, timeout,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(export);
            var isLive = parseResult.GetValue(live);
            var isIdentified = parseResult.GetValue(identified);
            if ((path is null) == !isLive)
            {
                throw new CliException(ExitCodes.BadArguments, "Give exactly one source: --export PATH or --live.");
            }

            if (isIdentified && !isLive)
            {
                throw new CliException(ExitCodes.BadArguments, "--identified goes with --live only; an export file is served as it was exported.");
            }

            var limits = new SnapshotLimits
            {
                RowCap = parseResult.GetValue(rowCap),
                ByteBudget = parseResult.GetValue(byteBudget),
                Timeout = TimeSpan.FromSeconds(parseResult.GetValue(timeout)),
            };
            using var logging = LoggerFactory.Create(McpServerHost.AddLogging);
            var log = logging.CreateLogger("SupportSignal.Mcp");
            using var snapshot = path is not null
                ? LoadFile(path, limits)
                : await LoadLiveAsync(cli, parseResult, isIdentified, limits, log, cancellationToken);
            var d = snapshot.Description;
            if (!d.Deidentified)
            {
                log.LogWarning("The snapshot is NOT de-identified: the AI tool will see real names and contact details");
            }

            log.LogInformation(
                "Snapshot loaded: {Tables} tables, {Rows} rows, {Bytes} bytes in {LoadMs} ms (file read in {StageMs} ms, {LoadCpuMs} ms of CPU), " +
                "de-identified {Deidentified}; serving MCP on stdio",
                d.Tables.Count, d.TotalRows, d.FileBytes, (long)d.LoadTime.TotalMilliseconds, (long)d.StageTime.TotalMilliseconds,
                (long)d.LoadCpuTime.TotalMilliseconds, d.Deidentified);
            await McpServerHost.RunAsync(snapshot, cancellationToken);

            // The client closing stdin is the normal end (0); Ctrl-C or SIGTERM is a cancellation (130).
            cancellationToken.ThrowIfCancellationRequested();
            return ExitCodes.Success;
        });
        return command;
    }

    private static ExportSnapshot LoadFile(string path, SnapshotLimits limits)
    {
        if (!File.Exists(path))
        {
            throw new CliException(ExitCodes.BadArguments, $"--export: {path} does not exist or is not a file.");
        }

        try
        {
            return SnapshotLoader.Load(path, limits);
        }
        catch (ExportFileException e)
        {
            throw new CliException(ExitCodes.BadArguments, $"--export: {path}: {e.Message}", e);
        }
    }

    /// <summary>The audited export (export_audit records it like any CLI export) into a private temporary file, loaded, then deleted.</summary>
    private static async Task<ExportSnapshot> LoadLiveAsync(
        CliContext cli, ParseResult parseResult, bool identified, SnapshotLimits limits, ILogger log, CancellationToken cancellationToken)
    {
        var configuration = cli.Configuration(parseResult);
        if (identified)
        {
            var allowed = string.Equals(configuration[AllowIdentifiedSetting], "true", StringComparison.OrdinalIgnoreCase);
            log.LogWarning("--identified asked for: a live snapshot with real personal details is {Decision}", allowed ? "allowed" : "refused");
            if (!allowed)
            {
                throw new CliException(ExitCodes.BadArguments,
                    $"--identified is refused: serving real personal details to an AI tool needs {AllowIdentifiedSetting}=true in this tool's own " +
                    "configuration (appsettings.json next to supportsignal, or the Mcp__AllowIdentified environment variable), as a SystemAdmin sets it.");
            }
        }

        await using var db = await cli.OpenDatabaseAsync(parseResult, cancellationToken);
        var time = cli.Environment.Time;
        var key = configuration[ExportCommand.PseudonymKeySetting];
        var exports = new AuditedExport(
            new ExportService(db, time, new ExportEngineOptions { PseudonymKey = string.IsNullOrEmpty(key) ? null : key }),
            new ExportAuditTrail(cli.Settings(parseResult).CreateContext, time: time),
            auditUnavailable: e =>
            {
                log.LogWarning("The live export could not be recorded in export_audit: {Reason}", e.Message);
                return Task.CompletedTask;
            });
        var request = new ExportRequest { Deidentify = !identified, Format = ExportFormat.Json, ExportedBy = "cli" };
        var attempt = new ExportAttempt(null, ExportSource.Cli, request, Guid.NewGuid().ToString("N"));
        var directory = Directory.CreateTempSubdirectory("supportsignal-mcp-live-");
        try
        {
            var file = Path.Combine(directory.FullName, "live.json");
            await using (var destination = ExportDestination.Open(file, request, time.GetUtcNow().UtcDateTime, force: false, cli.Environment, cli.Out))
            {
                var result = await exports.RunAsync(attempt, destination, cancellationToken: cancellationToken);
                if (result.Outcome != ExportOutcome.Succeeded)
                {
                    // Cancelled (exit 130), the database (exit 3) or anything else (exit 1): CliApp says which.
                    ExceptionDispatchInfo.Throw(result.Error ?? new InvalidOperationException($"the live export ended {result.Outcome}"));
                }
            }

            return SnapshotLoader.Load(file, limits);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static Option<int> Positive(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = $"{description} Default {defaultValue}.", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError($"{name} must be a positive whole number.");
            }
        });
        return option;
    }
}

using System.CommandLine;
using System.Runtime.ExceptionServices;

using SupportSignal.Cli.Output;
using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Export;
using SupportSignal.Export.Diagnostics;

namespace SupportSignal.Cli.Commands;

/// <summary>
/// <c>supportsignal export</c>: the export engine over the configured database, into a file (written
/// as PATH.partial, renamed on success), a directory (timestamped name) or standard output.
/// </summary>
public static class ExportCommand
{
    /// <summary>The same setting the web app reads (environment variable Export__PseudonymKey).</summary>
    public const string PseudonymKeySetting = "Export:PseudonymKey";

    /// <summary>The same setting the web app reads (Export__Parallelism); --parallel overrides it.</summary>
    public const string ParallelismSetting = "Export:Parallelism";

    /// <summary>The same setting the web app reads (Export__SpillDirectory): where parallel readers spill tables read ahead.</summary>
    public const string SpillDirectorySetting = "Export:SpillDirectory";

    public static Command Create(CliContext cli)
    {
        var flags = new Flags();
        var command = new Command("export", "Export the database, or a segment of it, as JSON or Parquet (progress on stderr).");
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parseResult, cancellationToken) => RunAsync(cli, flags, parseResult, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, Flags flags, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var request = flags.Request(parseResult);
        var parallelism = Check(() => ExportEngineOptions.ParseParallelism(
            parseResult.GetValue(flags.Parallel) ?? cli.Configuration(parseResult)[ParallelismSetting]));
        var path = parseResult.GetValue(flags.Output) ?? ".";
        if (path == ExportDestination.StandardOutputPath && cli.Environment.StdoutIsTerminal && request.Format != ExportFormat.Json)
        {
            throw new CliException(ExitCodes.BadArguments,
                $"--format {request.Format.Extension()} is binary and standard output is a terminal; redirect it or use --output FILE.");
        }

        StartupTrace.Mark("flags and configuration read");
        // No EF Core context: a plain connection checks the schema, the engine reads the stored catalog.
        var database = await cli.OpenExportDatabaseAsync(parseResult, cancellationToken);
        var time = cli.Environment.Time;
        var key = cli.Configuration(parseResult)[PseudonymKeySetting];
        var spill = cli.Configuration(parseResult)[SpillDirectorySetting];
        // Auditing never stops an export: a database that refuses the write (a read-only replica) gets a warning.
        var exports = new AuditedExport(
            new ExportService(database, time, new ExportEngineOptions
            {
                PseudonymKey = string.IsNullOrEmpty(key) ? null : key,
                Parallelism = parallelism,
                SpillDirectory = string.IsNullOrEmpty(spill) ? null : spill,
            }),
            new ExportAuditTrail(cli.Settings(parseResult), time: time),
            auditUnavailable: e => cli.Error.WriteLineAsync($"warning: the export could not be recorded in export_audit: {e.Message}"));
        var attempt = new ExportAttempt(null, ExportSource.Cli, request, Guid.NewGuid().ToString("N"));
        // Checked before the output is opened, so a bad request leaves no file behind.
        if (await exports.RejectIfInvalidAsync(attempt) is { BadInput: { } refused })
        {
            throw AsBadArgument(refused);
        }

        var mode = parseResult.GetValue(flags.Quiet) ? ExportProgressDisplay.Mode.Quiet
            : cli.Environment.StderrIsTerminal ? ExportProgressDisplay.Mode.Live
            : ExportProgressDisplay.Mode.Plain;
        var display = new ExportProgressDisplay(cli.Error, mode, cli.Environment.PlainProgressInterval, cli.Environment.TerminalWidth);
        await using var destination = ExportDestination.Open(
            path, request, time.GetUtcNow().UtcDateTime, parseResult.GetValue(flags.Force), cli.Environment, cli.Out);
        var result = await exports.RunAsync(attempt, destination, mode == ExportProgressDisplay.Mode.Quiet ? null : display, cancellationToken);
        switch (result)
        {
            case { Outcome: ExportOutcome.Succeeded, Summary: { } summary }:
                display.Completed(summary, destination.Name);
                return ExitCodes.Success;
            case { BadInput: { } badInput }:
                display.Abandoned();
                throw AsBadArgument(badInput);
            case { ErrorCode: ExportErrorCodes.OutputNotWritable, Outcome: ExportOutcome.Failed }:
                display.Abandoned();
                throw new CliException(ExitCodes.OutputNotWritable, $"Writing {destination.Name} failed: {result.Error!.Message}", result.Error);
            default:
                // Cancelled (exit 130), the database (exit 3) or anything else (exit 1): CliApp says which.
                display.Abandoned();
                ExceptionDispatchInfo.Throw(result.Error!);
                return ExitCodes.Failure;
        }
    }

    // The engine names the field at fault ("format", "tables", "company", "from", ...); the user knows it as that flag.
    private static T Check<T>(Func<T> validate)
    {
        try
        {
            return validate();
        }
        catch (ExportRequestException e)
        {
            throw AsBadArgument(e);
        }
    }

    private static CliException AsBadArgument(ExportRequestException e) => new(ExitCodes.BadArguments, $"--{e.Field}: {e.Message}", e);

    /// <summary>The verb's options; the names of the filter flags are the engine's field names.</summary>
    private sealed class Flags
    {
        public Option<string> Output { get; } = new("--output", "-o")
        {
            Description = "A file, an existing directory (the timestamped default name is used inside it), or - for standard output. " +
                "--format parquet writes a folder (metadata.json, tables/<table>.parquet) unless PATH ends in .zip or is -.",
            DefaultValueFactory = _ => ".",
        };

        public Option<bool> Force { get; } = new("--force") { Description = "Overwrite an existing file." };

        public Option<string> Format { get; } = new("--format")
        {
            Description = string.Join(" | ", ExportFormats.Names) + ".",
            DefaultValueFactory = _ => "json",
        };

        public Option<string[]> Tables { get; } = new("--" + ExportInput.TablesField)
        {
            Description = "Export only these tables: comma-separated, or repeat the flag.",
            HelpName = "a,b",
        };

        public Option<string[]> Companies { get; } = new("--" + ExportInput.CompanyField)
        {
            Description = "Only rows belonging to these company ids: comma-separated, or repeat the flag.",
            HelpName = "id",
        };

        public Option<string[]> Sites { get; } = new("--" + ExportInput.SiteField)
        {
            Description = "Only participants and incidents at these site ids, and what hangs off them.",
            HelpName = "id",
        };

        public Option<string> From { get; } = new("--" + ExportInput.FromField)
        {
            Description = "Only incidents whose event date (UTC) is on or after this day.",
            HelpName = "YYYY-MM-DD",
        };

        public Option<string> To { get; } = new("--" + ExportInput.ToField)
        {
            Description = "Only incidents whose event date (UTC) is on or before this day.",
            HelpName = "YYYY-MM-DD",
        };

        public Option<bool> NoClosure { get; } = new("--no-closure")
        {
            Description = "With filters: export only the matching rows, not the rows they reference (company, site, participant, users).",
        };

        public Option<bool> Deidentify { get; } = new("--deidentify")
        {
            Description = $"Replace people with pseudonyms and scrub free text (stable across exports when {PseudonymKeySetting} is set).",
        };

        public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress and no summary on stderr (errors are still shown)." };

        public Option<string> Parallel { get; } = new("--" + ExportEngineOptions.ParallelismField)
        {
            Description = $"Read with up to N connections in one snapshot (default {ParallelismSetting}, else the cores, at most 4).",
            HelpName = "N",
        };

        public IEnumerable<Option> All => [Output, Force, Format, Tables, Companies, Sites, From, To, NoClosure, Deidentify, Parallel, Quiet];

        /// <summary>The request the flags describe; text that does not parse is a bad argument naming its flag.</summary>
        public ExportRequest Request(ParseResult parseResult) =>
            Check(() => ExportInput.Parse(
                parseResult.GetValue(Tables), parseResult.GetValue(Companies), parseResult.GetValue(Sites),
                parseResult.GetValue(From), parseResult.GetValue(To), closure: !parseResult.GetValue(NoClosure))) with
            {
                Format = Check(() => ExportFormats.Parse(parseResult.GetValue(Format))),
                Deidentify = parseResult.GetValue(Deidentify),
                ExportedBy = "cli",
            };
    }
}

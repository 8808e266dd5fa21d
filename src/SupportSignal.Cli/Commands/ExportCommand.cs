using System.CommandLine;

using SupportSignal.Cli.Output;
using SupportSignal.Export;

namespace SupportSignal.Cli.Commands;

/// <summary>
/// <c>supportsignal export</c>: the export engine over the configured database, into a file (written
/// as PATH.partial, renamed on success), a directory (timestamped name) or standard output.
/// </summary>
public static class ExportCommand
{
    /// <summary>The same setting the web app reads (environment variable Export__PseudonymKey).</summary>
    public const string PseudonymKeySetting = "Export:PseudonymKey";

    public static Command Create(CliContext cli)
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "A file, an existing directory (the timestamped default name is used inside it), or - for standard output.",
            DefaultValueFactory = _ => ".",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var format = new Option<string>("--format")
        {
            Description = string.Join(" | ", ExportFormats.Names) + ".",
            DefaultValueFactory = _ => "json",
        };
        var tables = new Option<string[]>("--tables")
        {
            Description = "Export only these tables: comma-separated, or repeat the flag.",
            HelpName = "a,b",
        };
        var companies = new Option<string[]>("--company")
        {
            Description = "Only rows belonging to these company ids: comma-separated, or repeat the flag.",
            HelpName = "id",
        };
        var sites = new Option<string[]>("--site")
        {
            Description = "Only participants and incidents at these site ids, and what hangs off them.",
            HelpName = "id",
        };
        var from = new Option<string>("--from") { Description = "Only incidents whose event date (UTC) is on or after this day.", HelpName = "YYYY-MM-DD" };
        var to = new Option<string>("--to") { Description = "Only incidents whose event date (UTC) is on or before this day.", HelpName = "YYYY-MM-DD" };
        var noClosure = new Option<bool>("--no-closure")
        {
            Description = "With filters: export only the matching rows, not the rows they reference (company, site, participant, users).",
        };
        var deidentify = new Option<bool>("--deidentify")
        {
            Description = $"Replace people with pseudonyms and scrub free text (stable across exports when {PseudonymKeySetting} is set).",
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress and no summary on stderr (errors are still shown)." };

        var command = new Command("export", "Export the database, or a segment of it, as JSON (progress on stderr).")
        {
            output, force, format, tables, companies, sites, from, to, noClosure, deidentify, quiet,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var request = Check(() => ExportInput.Parse(
                parseResult.GetValue(tables), parseResult.GetValue(companies), parseResult.GetValue(sites),
                parseResult.GetValue(from), parseResult.GetValue(to), closure: !parseResult.GetValue(noClosure))) with
            {
                Format = Check(() => ExportFormats.Parse(parseResult.GetValue(format))),
                Deidentify = parseResult.GetValue(deidentify),
                ExportedBy = "cli",
            };

            await using var db = await cli.OpenDatabaseAsync(parseResult, cancellationToken);
            var options = new ExportEngineOptions { PseudonymKey = cli.Configuration(parseResult)[PseudonymKeySetting] is { Length: > 0 } key ? key : null };
            var service = new ExportService(db, cli.Environment.Time, options);
            Check(() => service.Select(request));

            var mode = parseResult.GetValue(quiet) ? ExportProgressDisplay.Mode.Quiet
                : cli.Environment.StderrIsTerminal ? ExportProgressDisplay.Mode.Live
                : ExportProgressDisplay.Mode.Plain;
            var display = new ExportProgressDisplay(cli.Error, mode, cli.Environment.PlainProgressInterval, cli.Environment.TerminalWidth);
            var path = parseResult.GetValue(output) ?? ".";
            if (path == ExportDestination.StandardOutputPath && cli.Environment.StdoutIsTerminal && request.Format != ExportFormat.Json)
            {
                throw new CliException(ExitCodes.BadArguments,
                    $"--format {request.Format.Extension()} is binary and standard output is a terminal; redirect it or use --output FILE.");
            }

            await using var destination = ExportDestination.Open(
                path, request, cli.Environment.Time.GetUtcNow().UtcDateTime,
                parseResult.GetValue(force), cli.Environment, cli.Out);
            ExportSummary summary;
            try
            {
                // Ids are checked against the database inside the export's snapshot, before any byte is written.
                summary = await CheckAsync(() => service.ExportAsync(
                    request, destination.Stream, mode == ExportProgressDisplay.Mode.Quiet ? null : display, cancellationToken));
                await destination.CommitAsync();
            }
            catch (OutputWriteException e) when (!cancellationToken.IsCancellationRequested)
            {
                display.Abandoned();
                throw new CliException(ExitCodes.OutputNotWritable, $"Writing {destination.Name} failed: {e.Message}", e);
            }
            catch
            {
                display.Abandoned();
                throw;
            }

            display.Completed(summary, destination.Name);
            return ExitCodes.Success;
        });
        return command;
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

    private static async Task<T> CheckAsync<T>(Func<Task<T>> validate)
    {
        try
        {
            return await validate();
        }
        catch (ExportRequestException e)
        {
            throw AsBadArgument(e);
        }
    }

    private static CliException AsBadArgument(ExportRequestException e) => new(ExitCodes.BadArguments, $"--{e.Field}: {e.Message}", e);
}

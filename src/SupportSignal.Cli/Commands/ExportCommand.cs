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
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress and no summary on stderr (errors are still shown)." };

        var command = new Command("export", "Export the database as JSON (progress on stderr).") { output, force, format, tables, quiet };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var request = new ExportRequest
            {
                Format = Parse(parseResult.GetValue(format)),
                Tables = Split(parseResult.GetValue(tables)),
                ExportedBy = "cli",
            };

            await using var db = await cli.OpenDatabaseAsync(parseResult, cancellationToken);
            var service = new ExportService(db, cli.Environment.Time);
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
                path, request.Format, cli.Environment.Time.GetUtcNow().UtcDateTime,
                parseResult.GetValue(force), cli.Environment, cli.Out);
            ExportSummary summary;
            try
            {
                summary = await service.ExportAsync(
                    request, destination.Stream, mode == ExportProgressDisplay.Mode.Quiet ? null : display, cancellationToken);
                await destination.CommitAsync();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException && !cancellationToken.IsCancellationRequested)
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

    private static ExportFormat Parse(string? text) => Check(() => ExportFormats.Parse(text));

    private static List<string>? Split(string[]? values) =>
        values is null || values.Length == 0
            ? null
            : values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();

    // The engine names the field at fault ("format", "tables"); the user knows it as a flag.
    private static T Check<T>(Func<T> validate)
    {
        try
        {
            return validate();
        }
        catch (ExportRequestException e)
        {
            throw new CliException(ExitCodes.BadArguments, $"--{e.Field}: {e.Message}", e);
        }
    }
}

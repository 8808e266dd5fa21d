using System.CommandLine;
using System.CommandLine.Invocation;
using System.Data.Common;

using SupportSignal.Cli.Commands;
using SupportSignal.Export;
using SupportSignal.Export.Diagnostics;

namespace SupportSignal.Cli;

/// <summary>
/// The whole CLI as one call, so tests run it in-process exactly as the executable does:
/// parse, run one verb, map whatever went wrong to an exit code (<see cref="ExitCodes"/>) and a
/// one-line message on stderr. Never a stack trace, never a connection string's password.
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, CliEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        var cli = new CliContext(stdout, stderr, environment ?? CliEnvironment.System);
        var root = new RootCommand("SupportSignal admin tool: migrate, seed, count and export the SupportSignal database.")
        {
            cli.Provider,
            cli.Connection,
            MigrateCommand.Create(cli),
            SeedCommand.Create(cli),
            CountsCommand.Create(cli),
            CreateAdminCommand.Create(cli),
            ExportCommand.Create(cli),
            McpCommand.Create(cli),
        };

        // No shell can pass a NUL, but an in-process caller can, and paths and connection strings reject it.
        if (Array.FindIndex(args, a => a.Contains('\0', StringComparison.Ordinal)) is var nul and >= 0)
        {
            stderr.WriteLine($"error: argument {nul + 1} contains a NUL character.");
            return ExitCodes.BadArguments;
        }

        var parseResult = root.Parse(args);
        StartupTrace.Mark("command line parsed");
        if (parseResult.Errors.Count > 0 && parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }

            stderr.WriteLine("Run 'supportsignal --help' for usage.");
            return ExitCodes.BadArguments;
        }

        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            // Program.cs turns Ctrl-C into cancellationToken; System.CommandLine must not also hook it.
            ProcessTerminationTimeout = null,
        };

        try
        {
            return await parseResult.InvokeAsync(invocation, cancellationToken);
        }
        // Once cancelled, whatever a verb throws (OperationCanceledException, SQLite's "interrupted") is the cancellation.
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not CliException)
        {
            stderr.WriteLine("Cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (CliException e)
        {
            stderr.WriteLine($"error: {cli.Redact(e.Message)}");
            return e.ExitCode;
        }
        // OpenDatabaseAsync checks the schema first; the engine checks it again inside its snapshot.
        catch (ExportSchemaException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Database;
        }
        catch (Exception e) when (Find<DbException>(e) is { } db)
        {
            stderr.WriteLine($"error: {cli.DescribeDatabaseError(db)}");
            return ExitCodes.Database;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: unexpected failure: {cli.Redact(e.Message)}");
            return ExitCodes.Failure;
        }
    }

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }
}

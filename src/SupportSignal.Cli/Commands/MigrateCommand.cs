using System.CommandLine;

using SupportSignal.Data;

namespace SupportSignal.Cli.Commands;

/// <summary><c>supportsignal migrate</c>: creates the database if needed and applies every pending migration.</summary>
public static class MigrateCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("migrate", "Create the database if needed and apply all pending migrations.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = cli.Settings(parseResult);
            await using var db = Create(settings);
            var before = await db.LatestAppliedMigrationAsync(cancellationToken);
            await db.MigrateAsync(cancellationToken);
            var after = await db.LatestAppliedMigrationAsync(cancellationToken);
            cli.Out.WriteLine(before == after
                ? $"{settings.Describe()} is up to date at migration {after}."
                : $"Migrated {settings.Describe()} to {after}.");
            return ExitCodes.Success;
        });
        return command;
    }

    // Creating a SQLite context creates its folder; a folder that cannot be made is an unreachable database.
    private static SupportSignalDbContext Create(DatabaseSettings settings)
    {
        try
        {
            return settings.CreateContext();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Database, $"Cannot create the database {settings.Describe()}: {e.Message}", e);
        }
    }
}

using System.CommandLine;
using System.Globalization;

using SupportSignal.DemoData;

namespace SupportSignal.Cli.Commands;

/// <summary><c>supportsignal seed</c>: fills an empty, migrated database with deterministic demo data.</summary>
public static class SeedCommand
{
    public static Command Create(CliContext cli)
    {
        var defaults = new DemoDataOptions();
        var companies = Count("--companies", "Companies to create.", defaults.Companies);
        var sitesPerCompany = Count("--sites-per-company", "Sites per company.", defaults.SitesPerCompany);
        var users = Count("--users", "Users across all roles.", defaults.Users);
        var participants = Count("--participants", "Participants (NDIS clients).", defaults.Participants);
        var incidents = Count("--incidents", "Incidents, each with narratives, Q&A and AI records.", defaults.Incidents);
        var randomSeed = Count("--random-seed", "Seed of the generator: the same seed gives the same data.", defaults.RandomSeed);

        var command = new Command("seed", "Fill an empty database with deterministic demo data (progress on stderr).")
        {
            companies, sitesPerCompany, users, participants, incidents, randomSeed,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = defaults with
            {
                Companies = parseResult.GetValue(companies),
                SitesPerCompany = parseResult.GetValue(sitesPerCompany),
                Users = parseResult.GetValue(users),
                Participants = parseResult.GetValue(participants),
                Incidents = parseResult.GetValue(incidents),
                RandomSeed = parseResult.GetValue(randomSeed),
            };

            await using var db = await cli.OpenDatabaseAsync(parseResult, cancellationToken);
            DemoDataSummary summary;
            try
            {
                summary = await DemoDataGenerator.SeedAsync(db, options, new SeedProgressLines(cli.Error), cancellationToken);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new CliException(ExitCodes.BadArguments, e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
            }
            catch (DemoDataException e)
            {
                throw new CliException(ExitCodes.Failure, e.Message);
            }

            cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Seeded {summary.TotalRows:N0} rows into {summary.RowsPerTable.Count} tables in {summary.Elapsed.TotalSeconds:0.0} s."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<int> Count(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    // Synchronous on purpose: Progress<T> would post to the thread pool and reorder lines.
    private sealed class SeedProgressLines(TextWriter stderr) : IProgress<SeedProgress>
    {
        public void Report(SeedProgress value) =>
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed: {value.Table} {value.RowsWritten:N0}/{value.RowsTotal:N0}"));
    }
}

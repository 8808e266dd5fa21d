using System.Globalization;

using SupportSignal.DemoData;

namespace SupportSignal.Testing;

/// <summary>The demo data sets the tests seed: one place, so every suite reads the same shapes of data.</summary>
public static class DemoSets
{
    /// <summary>
    /// Small but complete: every table has rows, the export has several flushes of data, and it seeds in
    /// well under a second. The engine's, the guide's and the web app's tests all use it.
    /// </summary>
    public static DemoDataOptions Small { get; } = new()
    {
        Companies = 3,
        SitesPerCompany = 2,
        Users = 16,
        Participants = 24,
        Incidents = 120,
        RandomSeed = 4242,
    };

    /// <summary>Smaller still, for the CLI's tests, which seed through the <c>seed</c> verb itself (see <see cref="SeedArguments"/>).</summary>
    public static DemoDataOptions Tiny { get; } = Small with { Companies = 2, Users = 6, Participants = 5, Incidents = 12 };

    /// <summary>The <c>supportsignal seed</c> command line that seeds <paramref name="set"/>.</summary>
    public static string[] SeedArguments(DemoDataOptions set) =>
    [
        "seed",
        "--companies", Text(set.Companies),
        "--sites-per-company", Text(set.SitesPerCompany),
        "--users", Text(set.Users),
        "--participants", Text(set.Participants),
        "--incidents", Text(set.Incidents),
        "--random-seed", Text(set.RandomSeed),
    ];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

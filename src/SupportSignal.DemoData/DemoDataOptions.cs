namespace SupportSignal.DemoData;

/// <summary>How much demo data to generate. The defaults are the standard demo set.</summary>
public sealed record DemoDataOptions
{
    public int Companies { get; init; } = 10;
    public int SitesPerCompany { get; init; } = 4;
    public int Users { get; init; } = 30;
    public int Participants { get; init; } = 120;
    public int Incidents { get; init; } = 600;
    public int RandomSeed { get; init; } = 20261125;

    /// <summary>The password every generated user signs in with (real Identity hashes are stored).</summary>
    public string UserPassword { get; init; } = "Demo-Passw0rd!";
}

/// <summary>Progress of a seed run: the table being filled and rows written so far.</summary>
public sealed record SeedProgress(string Table, long RowsWritten, long RowsTotal);

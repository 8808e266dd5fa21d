using System.Globalization;
using System.IO.Compression;

using Microsoft.Data.Sqlite;

using SupportSignal.DemoData;
using SupportSignal.Export;

[assembly: AssemblyFixture(typeof(SupportSignal.GuideTests.DemoExport))]

namespace SupportSignal.GuideTests;

/// <summary>
/// A real export of the demo data, made once for the whole run: a migrated, seeded SQLite file,
/// and the engine's json, json.gz and zip exports of it, laid out under the names the guide uses
/// (<c>export.json</c>, <c>export.json.gz</c>, <c>export.zip</c> and <c>export/</c>, the zip unpacked), a
/// segmented export, <c>segment.json</c>, and a de-identified one, <c>deidentified.json</c>.
/// The database itself is the independent source the recipes' output is checked against.
/// </summary>
public sealed class DemoExport : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("supportsignal-guide-").FullName;

    /// <summary>The folder holding the export files, as a reader of the guide would have them.</summary>
    public string ExportDirectory => Path.Combine(_root, "files");

    /// <summary>The demo data set the database holds.</summary>
    public static DemoDataOptions Demo => DemoSets.Small;

    /// <summary>The migrated, seeded database the exports are made from.</summary>
    public TestDatabase Database { get; private set; } = null!;

    public string DatabasePath => Database.Path;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(ExportDirectory);
        Database = await TestDatabase.CreateAsync(Demo);

        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            await using var db = Database.NewContext();
            await using var file = File.Create(Path.Combine(ExportDirectory, "export." + format.Extension()));
            await new ExportService(db, TestClock.Create()).ExportAsync(new ExportRequest { Format = format }, file);
        }

        ZipFile.ExtractToDirectory(Path.Combine(ExportDirectory, "export.zip"), Path.Combine(ExportDirectory, "export"));
        // The page's .parquet.zip holds what the CLI writes into a folder.
        ZipFile.ExtractToDirectory(Path.Combine(ExportDirectory, "export.parquet.zip"), Path.Combine(ExportDirectory, "export.parquet"));

        // A segment: one company's incidents of 2025, as segment.json.
        SegmentCompanyId = Guid.Parse(Query("SELECT id FROM companies ORDER BY name LIMIT 1").Single()[0]);
        await using (var db = Database.NewContext())
        {
            await using var file = File.Create(Path.Combine(ExportDirectory, "segment.json"));
            var segment = new ExportRequest { Companies = [SegmentCompanyId], From = SegmentFrom, To = SegmentTo };
            await new ExportService(db, TestClock.Create()).ExportAsync(segment, file);
        }

        // A de-identified export, as deidentified.json.
        await using (var db = Database.NewContext())
        {
            await using var file = File.Create(Path.Combine(ExportDirectory, "deidentified.json"));
            await new ExportService(db, TestClock.Create()).ExportAsync(new ExportRequest { Deidentify = true }, file);
        }
    }

    public static DateOnly SegmentFrom => new(2025, 1, 1);

    public static DateOnly SegmentTo => new(2025, 12, 31);

    /// <summary>The company of <c>segment.json</c>: the first by name.</summary>
    public Guid SegmentCompanyId { get; private set; }

    /// <summary>Runs a query on the database itself (not through the export) and returns every row as invariant text.</summary>
    public List<string[]> Query(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        return Runners.Rows(reader);
    }

    public long Scalar(string sql) => long.Parse(Query(sql).Single()[0], CultureInfo.InvariantCulture);

    /// <summary>
    /// The tables a full export holds, from the database's own catalogue: every table but SQLite's and EF's
    /// bookkeeping and the three that docs/export-format.md says stay out of a full export.
    /// </summary>
    public IReadOnlyList<string> ExportedTables => Query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' " +
        "AND name NOT IN ('user_tokens', 'data_protection_keys', 'debug_logs') ORDER BY name").Select(r => r[0]).ToList();

    /// <summary>Row count of a table, counted by the database.</summary>
    public long Count(string table) => Scalar($"SELECT count(*) FROM \"{table}\"");

    /// <summary>A new empty folder under this run's temporary root, removed with it.</summary>
    /// <summary>
    /// A private copy of the database for a recipe that writes to it (the CLI records every export in
    /// export_audit), so the original stays the unchanged source every recipe is checked against.
    /// </summary>
    public string CopyDatabase()
    {
        var path = Path.Combine(NewDirectory("database"), "supportsignal.db");
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "VACUUM INTO $path";
        command.Parameters.AddWithValue("$path", path);
        command.ExecuteNonQuery();
        return path;
    }

    public string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(_root, "runs", $"{name}-{Guid.NewGuid():N}")).FullName;

    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("GUIDE_TESTS_KEEP") is null)
        {
            await Database.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }
        else
        {
            Console.Error.WriteLine($"Guide test files kept in {_root}, the database at {DatabasePath}");
        }
    }
}

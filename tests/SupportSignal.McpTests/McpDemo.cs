using System.Globalization;
using System.Text.Json;

using Microsoft.Data.Sqlite;

using SupportSignal.Data;
using SupportSignal.Data.DemoData;
using SupportSignal.Export;

[assembly: AssemblyFixture(typeof(SupportSignal.McpTests.McpDemo))]

namespace SupportSignal.McpTests;

/// <summary>
/// The demo data in a migrated SQLite file, exported once by the real engine as json, json.gz and zip.
/// The database is the independent source every answer of the server is checked against.
/// </summary>
public sealed class McpDemo : IAsyncLifetime
{
    public static readonly DemoDataOptions Demo = new()
    {
        Companies = 3,
        SitesPerCompany = 2,
        Users = 16,
        Participants = 24,
        Incidents = 160,
        RandomSeed = 1717,
    };

    private readonly string _root = Directory.CreateTempSubdirectory("supportsignal-mcp-tests-").FullName;

    public string DatabasePath => Path.Combine(_root, "supportsignal.db");

    public string ExportPath(ExportFormat format) => Path.Combine(_root, "export." + format.Extension());

    public async ValueTask InitializeAsync()
    {
        var settings = new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={DatabasePath}");
        await using (var db = settings.CreateContext())
        {
            await db.MigrateAsync();
            await DemoDataGenerator.SeedAsync(db, Demo);
        }

        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            await using var db = settings.CreateContext();
            await using var file = File.Create(ExportPath(format));
            await new ExportService(db).ExportAsync(new ExportRequest { Format = format }, file);
        }
    }

    /// <summary>The export's own metadata.recordCounts, read from the json file, not through the server.</summary>
    public long RecordCount(string table)
    {
        using var stream = File.OpenRead(ExportPath(ExportFormat.Json));
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        return document.RootElement.GetProperty("metadata").GetProperty("recordCounts").GetProperty(table).GetInt64();
    }

    /// <summary>Rows straight from the SQLite file, each value as invariant text (NULL as null).</summary>
    public List<string?[]> Query(string sql, string? databasePath = null)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath ?? DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))
                .ToArray());
        }

        return rows;
    }

    /// <summary>A private copy of the database, for a server that writes to it (the live export's audit row).</summary>
    public string CopyDatabase()
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("N"))).FullName, "supportsignal.db");
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "VACUUM INTO $path";
        command.Parameters.AddWithValue("$path", path);
        command.ExecuteNonQuery();
        return path;
    }

    /// <summary>A path in this run's folder, removed with it.</summary>
    public string NewPath(string name) => Path.Combine(_root, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }
}

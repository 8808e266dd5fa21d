using System.Globalization;
using System.Text.Json;

using Microsoft.Data.Sqlite;

using SupportSignal.Export;
using SupportSignal.Testing;

[assembly: AssemblyFixture(typeof(SupportSignal.McpTests.McpDemo))]

namespace SupportSignal.McpTests;

/// <summary>
/// The shared small demo set in a migrated SQLite file (SupportSignal.Testing), exported once by
/// the real engine as json, json.gz and zip. The database is the independent source every answer of
/// the server is checked against.
/// </summary>
public sealed class McpDemo : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("supportsignal-mcp-tests-").FullName;

    private readonly List<TestDatabase> _copies = [];

    public TestDatabase Database { get; private set; } = null!;

    public string DatabasePath => Database.Path;

    public string ExportPath(ExportFormat format) => Path.Combine(_root, "export." + format.Extension());

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(DemoSets.Small);
        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            await using var db = Database.NewContext();
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
    public async Task<string> CopyDatabaseAsync()
    {
        var copy = await Database.CopyAsync(TestContext.Current.CancellationToken);
        lock (_copies)
        {
            _copies.Add(copy);
        }

        return copy.Path;
    }

    /// <summary>A path in this run's folder, removed with it.</summary>
    public string NewPath(string name) => Path.Combine(_root, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    public async ValueTask DisposeAsync()
    {
        foreach (var copy in _copies)
        {
            await copy.DisposeAsync();
        }

        await Database.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}

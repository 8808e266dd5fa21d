using System.Globalization;
using System.Text.Json;

using Microsoft.Data.Sqlite;

using SupportSignal.Export;
using SupportSignal.TestSupport;

[assembly: AssemblyFixture(typeof(SupportSignal.McpTests.McpDemo))]

namespace SupportSignal.McpTests;

/// <summary>
/// The shared test database (migrated, seeded demo data and the per-role accounts), exported once by
/// the real engine as json, json.gz and zip. The database is the independent source every answer of
/// the server is checked against.
/// </summary>
public sealed class McpDemo : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("supportsignal-mcp-tests-").FullName;

    public string DatabasePath { get; private set; } = "";

    public string ExportPath(ExportFormat format) => Path.Combine(_root, "export." + format.Extension());

    public async ValueTask InitializeAsync()
    {
        DatabasePath = await TestDatabase.CreateCopyAsync();
        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            await using var db = TestDatabase.OpenContext(DatabasePath);
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
    public static Task<string> CopyDatabaseAsync() => TestDatabase.CreateCopyAsync(TestContext.Current.CancellationToken);

    /// <summary>A path in this run's folder, removed with it.</summary>
    public string NewPath(string name) => Path.Combine(_root, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    public ValueTask DisposeAsync()
    {
        TestDatabase.Delete(DatabasePath);
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }
}

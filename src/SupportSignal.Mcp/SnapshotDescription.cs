using System.Text.Json;

using SupportSignal.Mcp.Loading;

namespace SupportSignal.Mcp;

/// <summary>A column as loaded: its DuckDB type, the store type the export declared, and its classification.</summary>
public sealed record SnapshotColumn(string Name, string Type, string StoreType, bool Nullable, string Classification, bool Json);

public sealed record SnapshotForeignKey(IReadOnlyList<string> Columns, string ReferencedTable, IReadOnlyList<string> ReferencedColumns);

public sealed record SnapshotTable(
    string Name, long RowCount, IReadOnlyList<string> PrimaryKey, IReadOnlyList<SnapshotColumn> Columns, IReadOnlyList<SnapshotForeignKey> ForeignKeys);

/// <summary>What the snapshot is, from the export's own metadata: what <c>describe_export</c> tells the model.</summary>
public sealed record SnapshotDescription(
    string SourceName,
    string? ExportedAt,
    string? ExportType,
    string? Provider,
    string? LatestMigration,
    bool Deidentified,
    JsonElement Filters,
    JsonElement ExcludedTables,
    IReadOnlyList<SnapshotTable> Tables)
{
    public long FileBytes { get; init; }

    /// <summary>Reading the file and staging its rows (the rest of <see cref="LoadTime"/> is DuckDB's).</summary>
    public TimeSpan StageTime { get; init; }

    public TimeSpan LoadTime { get; init; }

    /// <summary>Processor time the load took, all threads: a figure that shared machines disturb less than wall time.</summary>
    public TimeSpan LoadCpuTime { get; init; }

    public long TotalRows => Tables.Sum(t => t.RowCount);

    public SnapshotTable? Find(string name) =>
        Tables.FirstOrDefault(t => t.Name == name) ?? Tables.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    internal static SnapshotDescription From(string path, JsonElement metadata, IReadOnlyList<SnapshotTable> tables)
    {
        var sanitization = metadata.TryGetProperty("sanitization", out var s) ? s : default;
        var database = metadata.TryGetProperty("database", out var d) ? d : default;
        return new SnapshotDescription(
            Path.GetFileName(path),
            SnapshotLoader.Text(metadata, "exportedAt"),
            SnapshotLoader.Text(metadata, "exportType"),
            SnapshotLoader.Text(database, "provider"),
            SnapshotLoader.Text(database, "latestMigration"),
            sanitization.ValueKind == JsonValueKind.Object && sanitization.TryGetProperty("deidentified", out var deidentified)
                && deidentified.ValueKind == JsonValueKind.True,
            Member(metadata, "filtersApplied", "{}"),
            sanitization.ValueKind == JsonValueKind.Object ? Member(sanitization, "excludedTables", "[]") : Parse("[]"),
            tables);
    }

    private static JsonElement Member(JsonElement element, string name, string fallback) =>
        element.TryGetProperty(name, out var value) ? value.Clone() : Parse(fallback);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

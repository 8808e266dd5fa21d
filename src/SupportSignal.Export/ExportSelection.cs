using SupportSignal.Export.Catalog;

namespace SupportSignal.Export;

public sealed record ExcludedTable(string Table, string Reason);

public sealed record RemovedColumn(string Table, string Column, string Reason);

/// <summary>Which tables an export writes, which it leaves out and why, and which columns it never reads.</summary>
public sealed class ExportSelection
{
    public const string SecretTableReason = "holds only secret content (tokens or key material)";
    public const string OptInReason = "large operational log: exported only when asked for by name";
    public const string NotRequestedReason = "not among the requested tables";
    public const string SecretColumnReason = "secret";

    private ExportSelection(
        IReadOnlyList<ExportTable> included, IReadOnlyList<ExcludedTable> excluded, IReadOnlyList<string>? requestedTables)
    {
        Included = included;
        Excluded = excluded;
        RequestedTables = requestedTables;
        RemovedColumns = included
            .SelectMany(t => t.SecretColumns.Select(c => new RemovedColumn(t.Name, c.Name, SecretColumnReason)))
            .ToList();
    }

    public IReadOnlyList<ExportTable> Included { get; }

    public IReadOnlyList<ExcludedTable> Excluded { get; }

    public IReadOnlyList<RemovedColumn> RemovedColumns { get; }

    /// <summary>The normalized tables filter, in export order; null for a full export.</summary>
    public IReadOnlyList<string>? RequestedTables { get; }

    public string ExportType => RequestedTables is null ? "full" : "segmented";

    public static ExportSelection Resolve(ExportCatalog catalog, ExportRequest request)
    {
        if (request.Tables is null)
        {
            var included = catalog.Tables.Where(t => !t.IsWhollySecret && t.Name != ExportCatalog.OptInTable).ToList();
            return new ExportSelection(included, ExcludedFrom(catalog, included, requested: false), null);
        }

        var names = request.Tables.Select(t => t?.Trim().ToLowerInvariant() ?? "").Where(t => t.Length > 0).Distinct().ToList();
        if (names.Count == 0)
        {
            throw new ExportRequestException("tables", "Choose at least one table to export.");
        }

        var exportable = catalog.Tables.Where(t => !t.IsWhollySecret).Select(t => t.Name).ToList();
        foreach (var name in names)
        {
            var table = catalog.Find(name);
            if (table is null)
            {
                throw new ExportRequestException("tables",
                    $"Unknown table {InputText.Quote(name)}. Valid tables: {string.Join(", ", exportable)}.");
            }

            if (table.IsWhollySecret)
            {
                throw new ExportRequestException("tables", $"Table {name} {SecretTableReason} and is never exported.");
            }
        }

        var selected = catalog.Tables.Where(t => names.Contains(t.Name)).ToList();
        return new ExportSelection(selected, ExcludedFrom(catalog, selected, requested: true), selected.Select(t => t.Name).ToList());
    }

    private static List<ExcludedTable> ExcludedFrom(ExportCatalog catalog, List<ExportTable> included, bool requested) =>
        catalog.Tables
            .Where(t => !included.Contains(t))
            .Select(t => new ExcludedTable(t.Name,
                t.IsWhollySecret ? SecretTableReason
                : requested ? NotRequestedReason
                : OptInReason))
            .ToList();
}

/// <summary>Echoes user input in messages safely: short, quoted, control characters made visible.</summary>
public static class InputText
{
    public static string Quote(string value, int maxLength = 60)
    {
        var shown = value.Length > maxLength ? value[..maxLength] + "…" : value;
        var safe = string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return $"'{safe}'";
    }
}

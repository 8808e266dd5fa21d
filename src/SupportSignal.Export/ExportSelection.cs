using SupportSignal.Data.Classification;
using SupportSignal.Export.Catalog;
using SupportSignal.Export.Segmentation;

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
        IReadOnlyList<ExportTable> included, IReadOnlyList<ExcludedTable> excluded, IReadOnlyList<string>? requestedTables,
        ExportRequest request, SegmentPlan? segment)
    {
        Included = included;
        Excluded = excluded;
        RequestedTables = requestedTables;
        Request = request;
        Segment = segment;
        RemovedColumns = included
            .SelectMany(t => t.SecretColumns.Select(c => new RemovedColumn(t.Name, c.Name, SecretColumnReason)))
            .ToList();
    }

    public IReadOnlyList<ExportTable> Included { get; }

    public IReadOnlyList<ExcludedTable> Excluded { get; }

    public IReadOnlyList<RemovedColumn> RemovedColumns { get; }

    /// <summary>The normalized tables filter, in export order; null when no tables were named.</summary>
    public IReadOnlyList<string>? RequestedTables { get; }

    public ExportRequest Request { get; }

    /// <summary>How each table's rows are chosen; null for a full export.</summary>
    internal SegmentPlan? Segment { get; }

    public string ExportType => Request.IsSegmented ? "segmented" : "full";

    /// <summary>Tables with no tenant, exported whole whatever the company, site or date filter.</summary>
    public IReadOnlyList<string> SharedTables => Segment?.SharedTables ?? [];

    /// <summary>Operational history spanning tenants, exported whole in a segment because the tables filter names it.</summary>
    public IReadOnlyList<string> HistoryTables => Segment?.HistoryTables ?? [];

    /// <summary>Tables in the export only because rows of other tables reference them.</summary>
    public IReadOnlyList<string> ClosureTables => Segment?.ClosureTables ?? [];

    /// <summary>With closure off: tables that exported rows reference but that are not in the export.</summary>
    public IReadOnlyList<string> ReferencedTablesLeftOut => Segment?.ReferencedTablesLeftOut ?? [];

    public static ExportSelection Resolve(ExportCatalog catalog, ExportRequest request)
    {
        if (request is { From: { } from, To: { } to } && from > to)
        {
            throw new ExportRequestException(ExportInput.FromField, $"The start date {from:yyyy-MM-dd} is after the end date {to:yyyy-MM-dd}.");
        }

        var requested = request.Tables is null ? null : RequestedTablesOf(catalog, request.Tables);
        var candidates = requested ?? catalog.Tables.Where(t => !t.IsWhollySecret && t.Role != TableRole.OptInLog).ToList();
        if (!request.IsSegmented)
        {
            return new ExportSelection(candidates, ExcludedFrom(catalog, candidates, null, null), null, request, null);
        }

        var segment = SegmentPlan.Create(catalog, request, candidates);
        var included = segment.Tables.Select(t => t.Table).ToList();
        if (included.Count == 0)
        {
            throw new ExportRequestException(ExportInput.TablesField,
                $"Nothing to export: {string.Join("; ", segment.Excluded.Select(e => $"{e.Table} is {e.Reason}"))}.");
        }

        return new ExportSelection(included, ExcludedFrom(catalog, included, requested, segment), requested?.Select(t => t.Name).ToList(), request, segment);
    }

    private static List<ExportTable> RequestedTablesOf(ExportCatalog catalog, IReadOnlyList<string> tables)
    {
        var names = tables.Select(t => t?.Trim().ToLowerInvariant() ?? "").Where(t => t.Length > 0).Distinct().ToList();
        if (names.Count == 0)
        {
            throw new ExportRequestException(ExportInput.TablesField, "Choose at least one table to export.");
        }

        var exportable = catalog.Tables.Where(t => !t.IsWhollySecret).Select(t => t.Name).ToList();
        foreach (var name in names)
        {
            var table = catalog.Find(name);
            if (table is null)
            {
                throw new ExportRequestException(ExportInput.TablesField,
                    $"Unknown table {InputText.Quote(name)}. Valid tables: {string.Join(", ", exportable)}.");
            }

            if (table.IsWhollySecret)
            {
                throw new ExportRequestException(ExportInput.TablesField, $"Table {name} {SecretTableReason} and is never exported.");
            }
        }

        return catalog.Tables.Where(t => names.Contains(t.Name)).ToList();
    }

    private static List<ExcludedTable> ExcludedFrom(
        ExportCatalog catalog, List<ExportTable> included, List<ExportTable>? requested, SegmentPlan? segment) =>
        catalog.Tables
            .Where(t => !included.Contains(t))
            .Select(t => new ExcludedTable(t.Name,
                t.IsWhollySecret ? SecretTableReason
                : segment?.Excluded.FirstOrDefault(e => e.Table == t.Name)?.Reason
                ?? (requested is not null ? NotRequestedReason : OptInReason)))
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

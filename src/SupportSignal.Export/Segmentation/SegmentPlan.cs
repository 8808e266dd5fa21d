using SupportSignal.Data.Classification;
using SupportSignal.Export.Catalog;

namespace SupportSignal.Export.Segmentation;

/// <summary>The kinds of filter that narrow rows (the tables filter narrows tables instead).</summary>
internal enum Scope
{
    Company,
    Site,
    Date,
}

/// <summary>How a table's rows are chosen in a segmented export.</summary>
internal enum RowChoice
{
    /// <summary>Every row: a full export's tables, named tables with no row filter, and shared tables with no tenant.</summary>
    Whole,

    /// <summary>Rows that pass the filters, through the table's own columns or its parent's chosen rows, plus closure.</summary>
    Filtered,

    /// <summary>No row passes on its own (the table is not linked to the filter); only rows other rows reference.</summary>
    Referenced,
}

/// <summary>A column of a table that a filter tests directly: <c>company_id IN (...)</c>, <c>event_date_time BETWEEN ...</c>.</summary>
internal sealed record ScopeRoot(Scope Scope, string Column);

/// <summary>
/// One table of a segment: how its rows are chosen and, when it is not tested directly for
/// every filter, the foreign key to the parent (<see cref="Parent"/>) whose filtered rows it follows.
/// <see cref="Tenant"/>, when the segment names companies or sites and the table has a path to
/// them, is the same kind of chain for those filters alone: a row closure brings in that passes
/// it belongs to a selected tenant and is exported whole; any other closure row is a stub.
/// </summary>
internal sealed record SegmentTable(
    ExportTable Table, RowChoice Choice, IReadOnlyList<ScopeRoot> Roots, ExportForeignKey? Via, SegmentTable? Parent)
{
    public SegmentTable? Tenant { get; init; }
}

/// <summary>
/// Decides, from the foreign keys of the EF model, how every table of a segmented export is
/// filtered. The roots are the tenancy concepts themselves (a company, a site, an incident's
/// event date); every other table reaches them through its foreign keys, the shortest way, so
/// a narrative follows its incident and a classification its analysis without a hand-written
/// list. Optional references to users (created_by, updated_by, user_id of a log) record who
/// acted, not who owns the row, so they never carry tenancy.
/// </summary>
internal sealed class SegmentPlan
{
    public const string NotLinkedReason = "not linked to any company or site, so it cannot be segmented";
    public const string HistoryReason = "operational history that spans tenants: left out of a segment unless the tables filter names it";
    public const string NotLinkedToFilterReason = "no row of it is linked to the chosen filters, and closure is off";

    private SegmentPlan(
        ExportCatalog catalog, ExportRequest request, IReadOnlyList<SegmentTable> tables, IReadOnlyList<string> sharedTables, IReadOnlyList<string> historyTables,
        IReadOnlyList<string> closureTables, IReadOnlyList<string> referencedTablesLeftOut, IReadOnlyList<ExcludedTable> excluded)
    {
        CompaniesTable = catalog.NameOf(TableRole.Tenant);
        SitesTable = catalog.NameOf(TableRole.Site);
        Request = request;
        HistoryTables = historyTables;
        Tables = tables;
        SharedTables = sharedTables;
        ClosureTables = closureTables;
        ReferencedTablesLeftOut = referencedTablesLeftOut;
        Excluded = excluded;
    }

    public ExportRequest Request { get; }

    /// <summary>The tenant's table (the model's <see cref="TableRole.Tenant"/>), whose ids a company filter names.</summary>
    public string? CompaniesTable { get; }

    /// <summary>The sites' table (the model's <see cref="TableRole.Site"/>), whose ids a site filter names.</summary>
    public string? SitesTable { get; }

    /// <summary>Every exported table and how its rows are chosen, in dependency order.</summary>
    public IReadOnlyList<SegmentTable> Tables { get; }

    /// <summary>Tables with no tenant, exported whole whatever the company, site or date filter.</summary>
    public IReadOnlyList<string> SharedTables { get; }

    /// <summary>Operational history spanning tenants (export_audit, debug_logs), exported whole because the tables filter names it.</summary>
    public IReadOnlyList<string> HistoryTables { get; }

    /// <summary>
    /// True when closure may bring in rows of tenants the segment did not select (it names
    /// companies or sites): such rows are written as stubs. A date-only segment selects every tenant.
    /// </summary>
    public bool HasStubs => Request.Closure && TenantScopes(Request).Count > 0;

    /// <summary>Tables exported only because closure brings in the rows that other rows reference.</summary>
    public IReadOnlyList<string> ClosureTables { get; }

    /// <summary>With closure off: tables that exported rows reference but that are not in the export.</summary>
    public IReadOnlyList<string> ReferencedTablesLeftOut { get; }

    public IReadOnlyList<ExcludedTable> Excluded { get; }

    public static SegmentPlan Create(ExportCatalog catalog, ExportRequest request, IReadOnlyList<ExportTable> requested)
    {
        var scopes = ActiveScopes(request);
        var order = catalog.Tables.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var tenanted = Reachable(catalog, [Scope.Company], order);
        var filterable = Reachable(catalog, scopes, order);

        var choices = new Dictionary<string, SegmentTable>();
        var excluded = new List<ExcludedTable>();
        var shared = new List<string>();
        var history = new List<string>();
        foreach (var table in requested)
        {
            if (scopes.Count == 0)
            {
                choices[table.Name] = new SegmentTable(table, RowChoice.Whole, [], null, null);
            }
            else if (filterable.ContainsKey(table.Name))
            {
                choices[table.Name] = Filtered(catalog, table, scopes, filterable, order);
            }
            else if (ExportCatalog.HistoryTables.Contains(table.Name))
            {
                if (request.Tables?.Contains(table.Name, StringComparer.OrdinalIgnoreCase) == true)
                {
                    choices[table.Name] = new SegmentTable(table, RowChoice.Whole, [], null, null);
                    history.Add(table.Name);
                }
                else
                {
                    excluded.Add(new ExcludedTable(table.Name, HistoryReason));
                }
            }
            else if (!tenanted.ContainsKey(table.Name) && !HoldsPeople(table))
            {
                choices[table.Name] = new SegmentTable(table, RowChoice.Whole, [], null, null);
                shared.Add(table.Name);
            }
            else if (!tenanted.ContainsKey(table.Name))
            {
                excluded.Add(new ExcludedTable(table.Name, NotLinkedReason));
            }
            else if (request.Closure)
            {
                choices[table.Name] = new SegmentTable(table, RowChoice.Referenced, [], null, null);
            }
            else
            {
                excluded.Add(new ExcludedTable(table.Name, NotLinkedToFilterReason));
            }
        }

        // Closure: the parents exported rows reference, transitively, join the export.
        var closureTables = new List<string>();
        var leftOut = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Queue<SegmentTable>(choices.Values);
        while (pending.TryDequeue(out var child))
        {
            foreach (var fk in child.Table.ForeignKeys)
            {
                var parent = catalog.Find(fk.PrincipalTable)!;
                if (parent.IsWhollySecret || choices.ContainsKey(parent.Name))
                {
                    continue;
                }

                if (!request.Closure)
                {
                    leftOut.Add(parent.Name);
                    continue;
                }

                var added = new SegmentTable(parent, RowChoice.Referenced, [], null, null);
                choices[parent.Name] = added;
                excluded.RemoveAll(e => e.Table == parent.Name);
                closureTables.Add(parent.Name);
                pending.Enqueue(added);
            }
        }

        var tenantScopes = TenantScopes(request);
        var tenantReachable = Reachable(catalog, tenantScopes, order);
        var ordered = choices.Values
            .Select(c => c.Choice == RowChoice.Whole || !tenantReachable.ContainsKey(c.Table.Name)
                ? c
                : c with { Tenant = Filtered(catalog, c.Table, tenantScopes, tenantReachable, order) })
            .OrderBy(c => order[c.Table.Name])
            .ToList();
        return new SegmentPlan(catalog, request, ordered, shared, history, closureTables.OrderBy(t => order[t]).ToList(), leftOut.ToList(), excluded);
    }

    // The filters that choose tenants; a date range chooses incidents, not whose they are.
    private static List<Scope> TenantScopes(ExportRequest request) => ActiveScopes(request).Where(s => s != Scope.Date).ToList();

    private static List<Scope> ActiveScopes(ExportRequest request)
    {
        var scopes = new List<Scope>();
        if (request.Companies is { Count: > 0 })
        {
            scopes.Add(Scope.Company);
        }

        if (request.Sites is { Count: > 0 })
        {
            scopes.Add(Scope.Site);
        }

        if (request.From is not null || request.To is not null)
        {
            scopes.Add(Scope.Date);
        }

        return scopes;
    }

    private static SegmentTable Filtered(
        ExportCatalog catalog, ExportTable table, List<Scope> scopes, Dictionary<string, int> filterable, Dictionary<string, int> order)
    {
        var roots = scopes.Select(s => RootColumn(catalog, table, s) is { } column ? new ScopeRoot(s, column) : null).OfType<ScopeRoot>().ToList();
        var via = roots.Count == scopes.Count ? null : BestLink(catalog, table, filterable, order);
        var parent = via is null ? null : Filtered(catalog, catalog.Find(via.PrincipalTable)!, scopes, filterable, order);
        return new SegmentTable(table, RowChoice.Filtered, roots, via, parent);
    }

    /// <summary>
    /// Tables that reach every given scope, each with its depth (0 for a table tested directly for
    /// all of them). Parents come first in the catalog's order, so one pass settles every table.
    /// </summary>
    private static Dictionary<string, int> Reachable(ExportCatalog catalog, IReadOnlyList<Scope> scopes, Dictionary<string, int> order)
    {
        var depth = new Dictionary<string, int>();
        if (scopes.Count == 0)
        {
            return depth;
        }

        foreach (var table in catalog.Tables)
        {
            if (scopes.All(s => RootColumn(catalog, table, s) is not null))
            {
                depth[table.Name] = 0;
            }
            else if (BestLink(catalog, table, depth, order) is { } link)
            {
                depth[table.Name] = depth[link.PrincipalTable] + 1;
            }
        }

        return depth;
    }

    private static ExportForeignKey? BestLink(ExportCatalog catalog, ExportTable table, Dictionary<string, int> reachable, Dictionary<string, int> order) =>
        table.ForeignKeys
            .Where(fk => fk.Columns.Count == 1 && fk.PrincipalTable != table.Name && reachable.ContainsKey(fk.PrincipalTable)
                && order[fk.PrincipalTable] < order[table.Name] && CarriesTenancy(catalog, table, fk))
            .OrderBy(fk => IsOptional(table, fk))
            .ThenBy(fk => fk.PrincipalTable == catalog.NameOf(TableRole.Accounts))
            .ThenBy(fk => reachable[fk.PrincipalTable])
            .ThenBy(fk => fk.Columns[0], StringComparer.Ordinal)
            .FirstOrDefault();

    private static bool CarriesTenancy(ExportCatalog catalog, ExportTable table, ExportForeignKey fk) =>
        !(fk.PrincipalTable == catalog.NameOf(TableRole.Accounts) && IsOptional(table, fk));

    private static bool IsOptional(ExportTable table, ExportForeignKey fk) =>
        fk.Columns.Any(c => table.Columns.First(col => col.Name == c).Nullable);

    internal static string? RootColumn(ExportCatalog catalog, ExportTable table, Scope scope) => scope switch
    {
        Scope.Company => KeyOrReference(catalog, table, TableRole.Tenant),
        Scope.Site => KeyOrReference(catalog, table, TableRole.Site),
        _ => table.Columns.FirstOrDefault(c => c.IsEventDate)?.Name,
    };

    // The table's own key when it has the role; else its single-column reference to the table that has it.
    private static string? KeyOrReference(ExportCatalog catalog, ExportTable table, TableRole role) => table.Role == role
        ? table.PrimaryKey[0]
        : table.ForeignKeys.FirstOrDefault(fk => fk.PrincipalTable == catalog.NameOf(role) && fk.Columns.Count == 1)?.Columns[0];

    private static bool HoldsPeople(ExportTable table) =>
        table.ExportedColumns.Any(c => c.Classification is DataClass.Personal or DataClass.FreeText);
}

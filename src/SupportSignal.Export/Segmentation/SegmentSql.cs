using SupportSignal.Data.Classification;
using SupportSignal.Export.Catalog;
using SupportSignal.Export.Deidentification;
using SupportSignal.Export.Reading;

namespace SupportSignal.Export.Segmentation;

/// <summary>
/// Chooses a segment's rows inside the export's snapshot. Each exported table that is not taken
/// whole gets a temporary key table: first the keys of the rows that pass the filters, then,
/// until nothing changes, the keys of parent rows that chosen rows reference (closure). The
/// temporary tables belong to the export's connection and transaction and vanish with it.
/// Values enter the SQL only as literals made by the model's own type mappings from parsed
/// GUIDs and dates, never from text a person typed. Each key also carries a stub flag: closure's
/// rows are stubs (written without their personal and free-text values) unless they belong to a
/// tenant the segment selected; the filters' own rows never are.
/// </summary>
internal sealed class SegmentSql(SegmentPlan plan, SqlDialect dialect, Func<string, string, object, string> literal)
{
    private string KeyTable(string table) => dialect.KeyTable(table);

    private string Delimit(string name) => dialect.Delimit(name);

    /// <summary>The WHERE clause an exported table is read with, or null when it is taken whole.</summary>
    public string? RowFilter(SegmentTable table) => table.Choice == RowChoice.Whole
        ? null
        : $"EXISTS (SELECT 1 FROM {KeyTable(table.Table.Name)} k WHERE {KeyMatch(table.Table, "k", Delimit(table.Table.Name))})";

    /// <summary>True for a row of this table that is a stub; null when the table can hold none.</summary>
    public string? StubCondition(SegmentTable table) => !plan.HasStubs || table.Choice == RowChoice.Whole
        ? null
        : $"EXISTS (SELECT 1 FROM {KeyTable(table.Table.Name)} k WHERE {KeyMatch(table.Table, "k", Delimit(table.Table.Name))} AND k.{Stub} = 1)";

    /// <summary>
    /// What a plan needs to write this table's stubs: the condition and the columns a stub holds as
    /// null. Free text may name anyone; personal columns keep their pseudonym when de-identified.
    /// </summary>
    public (string Condition, Func<ExportColumn, bool> Blanked)? Stubs(SegmentTable table, bool deidentify) =>
        StubCondition(table) is { } condition
            ? (condition, c => c.Classification == DataClass.FreeText
                || (c.Classification == DataClass.Personal && (!deidentify || Deidentifier.IsScrubbed(c))))
            : null;

    /// <summary>Checks the requested companies and sites exist, then fills the key tables, inside the snapshot.</summary>
    public async Task ChooseRowsAsync(Snapshot snapshot, CancellationToken cancellationToken)
    {
        await RequireExistingAsync(snapshot, plan.CompaniesTable, plan.Request.Companies, ExportInput.CompanyField, "company", cancellationToken);
        await RequireExistingAsync(snapshot, plan.SitesTable, plan.Request.Sites, ExportInput.SiteField, "site", cancellationToken);
        foreach (var sql in ChooseStatements())
        {
            await snapshot.ExecuteAsync(sql, cancellationToken);
        }

        var closures = ClosureStatements();
        int added;
        do
        {
            added = 0;
            foreach (var sql in closures)
            {
                added += await snapshot.ExecuteAsync(sql, cancellationToken);
            }
        }
        while (added > 0);

        foreach (var sql in TenantStatements())
        {
            await snapshot.ExecuteAsync(sql, cancellationToken);
        }
    }

    /// <summary>Creates each key table and fills it with the keys of the rows that pass the filters.</summary>
    public IEnumerable<string> ChooseStatements()
    {
        foreach (var table in plan.Tables.Where(t => t.Choice != RowChoice.Whole))
        {
            var pk = table.Table.PrimaryKey;
            var columns = string.Join(", ", pk.Select(c => $"{Delimit(c)} {table.Table.Columns.First(col => col.Name == c).StoreType} NOT NULL"));
            yield return dialect.CreateTempTable(KeyTable(table.Table.Name), $"{columns}, {Stub} INT NOT NULL DEFAULT 0, PRIMARY KEY ({string.Join(", ", pk.Select(Delimit))})");
            if (table.Choice == RowChoice.Filtered)
            {
                yield return $"INSERT INTO {KeyTable(table.Table.Name)} ({string.Join(", ", pk.Select(Delimit))}) " +
                    $"SELECT {string.Join(", ", pk.Select(c => "t0." + Delimit(c)))} FROM {Delimit(table.Table.Name)} t0 WHERE {Predicate(table, 0)}";
            }
        }
    }

    /// <summary>One statement per foreign key that closure follows; repeated until none adds a row.</summary>
    public IReadOnlyList<string> ClosureStatements()
    {
        if (!plan.Request.Closure)
        {
            return [];
        }

        var byName = plan.Tables.ToDictionary(t => t.Table.Name);
        return plan.Tables
            .SelectMany(child => child.Table.ForeignKeys.Select(fk => (Child: child, Fk: fk)))
            .Where(x => x.Fk.Columns.Count == 1 && byName.TryGetValue(x.Fk.PrincipalTable, out var parent) && parent.Choice != RowChoice.Whole
                && x.Fk.PrincipalColumns.SequenceEqual(parent.Table.PrimaryKey))
            .Select(x => ClosureInsert(x.Child, x.Fk))
            .ToList();
    }

    /// <summary>
    /// After closure: the stubs that belong to a selected tenant after all (a company's own users in a
    /// company and date segment, reached only through closure) become whole rows again.
    /// </summary>
    public IEnumerable<string> TenantStatements() => !plan.HasStubs
        ? []
        : plan.Tables.Where(t => t is { Choice: not RowChoice.Whole, Tenant: not null }).Select(t =>
            $"UPDATE {KeyTable(t.Table.Name)} SET {Stub} = 0 WHERE {Stub} = 1 AND EXISTS (SELECT 1 FROM {Delimit(t.Table.Name)} t0 " +
            $"WHERE {KeyMatch(t.Table, KeyTable(t.Table.Name), "t0")} AND {Predicate(t.Tenant!, 0)})");

    /// <summary>The lookups that check the requested companies and sites exist.</summary>
    public IEnumerable<string> ValidationStatements() =>
        new[] { (plan.CompaniesTable, plan.Request.Companies), (plan.SitesTable, plan.Request.Sites) }
            .Where(x => x.Item2 is { Count: > 0 })
            .Select(x => ExistingSql(x.Item1!, x.Item2!));

    private string ExistingSql(string table, IReadOnlyList<Guid> ids) =>
        $"SELECT {Delimit("id")} FROM {Delimit(table)} WHERE {Delimit("id")} IN ({string.Join(", ", ids.Select(id => literal(table, "id", id)))})";

    // Rows of the child that are chosen (or all of a whole table) add the parents they reference.
    private string ClosureInsert(SegmentTable child, ExportForeignKey fk)
    {
        var parent = fk.PrincipalTable;
        var column = "c." + Delimit(fk.Columns[0]);
        var chosen = child.Choice == RowChoice.Whole
            ? ""
            : $" AND EXISTS (SELECT 1 FROM {KeyTable(child.Table.Name)} k WHERE {KeyMatch(child.Table, "k", "c")})";
        return $"INSERT INTO {KeyTable(parent)} ({Delimit(fk.PrincipalColumns[0])}, {Stub}) SELECT DISTINCT {column}, {(plan.HasStubs ? 1 : 0)} FROM {Delimit(child.Table.Name)} c " +
            $"WHERE {column} IS NOT NULL{chosen} AND NOT EXISTS (SELECT 1 FROM {KeyTable(parent)} p WHERE p.{Delimit(fk.PrincipalColumns[0])} = {column})";
    }

    private string Stub => Delimit("stub");

    private string KeyMatch(ExportTable table, string keyAlias, string rowAlias) =>
        string.Join(" AND ", table.PrimaryKey.Select(c => $"{keyAlias}.{Delimit(c)} = {rowAlias}.{Delimit(c)}"));

    // The filter of one table: its own columns for the filters it carries, its parent's filter for the rest.
    private string Predicate(SegmentTable table, int depth)
    {
        var alias = "t" + depth;
        var parts = table.Roots.Select(root => RootPredicate(table.Table.Name, alias, root)).ToList();
        if (table is { Via: { } via, Parent: { } parent })
        {
            var parentAlias = "t" + (depth + 1);
            parts.Add($"{alias}.{Delimit(via.Columns[0])} IN (SELECT {parentAlias}.{Delimit(via.PrincipalColumns[0])} " +
                $"FROM {Delimit(parent.Table.Name)} {parentAlias} WHERE {Predicate(parent, depth + 1)})");
        }

        return string.Join(" AND ", parts);
    }

    private string RootPredicate(string table, string alias, ScopeRoot root)
    {
        var column = $"{alias}.{Delimit(root.Column)}";
        var request = plan.Request;
        // Stored timestamps are UTC without a kind; a literal with a 'Z' would not compare as text on SQLite.
        return root.Scope switch
        {
            Scope.Company => $"{column} IN ({string.Join(", ", request.Companies!.Select(id => literal(table, root.Column, id)))})",
            Scope.Site => $"{column} IN ({string.Join(", ", request.Sites!.Select(id => literal(table, root.Column, id)))})",
            _ => string.Join(" AND ", new[]
            {
                request.From is { } from ? $"{column} >= {literal(table, root.Column, from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified))}" : null,
                request.To is { } to ? $"{column} < {literal(table, root.Column, to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified))}" : null,
            }.OfType<string>()),
        };
    }

    private async Task RequireExistingAsync(
        Snapshot snapshot, string? table, IReadOnlyList<Guid>? ids, string field, string noun, CancellationToken cancellationToken)
    {
        if (ids is not { Count: > 0 })
        {
            return;
        }

        var found = new HashSet<Guid>();
        await snapshot.QueryAsync(ExistingSql(table!, ids), row => found.Add(row.GetGuid(0)), cancellationToken);
        var missing = ids.Where(id => !found.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            throw new ExportRequestException(field, $"No {noun} has the id {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", …" : "")}.");
        }
    }
}

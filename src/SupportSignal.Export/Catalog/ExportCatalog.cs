using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

using SupportSignal.Data.Classification;

namespace SupportSignal.Export.Catalog;

/// <summary>How a column's values are read and written; decided once from the EF model.</summary>
public enum ValueKind
{
    Text,
    Json,
    Guid,
    DateTime,
    DateTimeOffset,
    Date,
    Boolean,
    Int32,
    Int64,
    Double,
    Decimal,
    Binary,
}

public sealed record ExportColumn(string Name, string StoreType, bool Nullable, DataClass Classification, ValueKind Kind, PersonalKind? Personal = null)
{
    /// <summary>True for the column that dates the table's events (a date range filters on it).</summary>
    public bool IsEventDate { get; init; }

    /// <summary>An exact decimal's digits in all and after the point, from the model (EF's 18, 2 when it declares none); null for other kinds.</summary>
    public (int Precision, int Scale)? DecimalDigits { get; init; }
}

public sealed record ExportForeignKey(IReadOnlyList<string> Columns, string PrincipalTable, IReadOnlyList<string> PrincipalColumns);

/// <summary>One table as the export sees it. <see cref="Columns"/> are every column; secret ones are never read.</summary>
public sealed record ExportTable(
    string Name,
    IReadOnlyList<string> PrimaryKey,
    IReadOnlyList<ExportColumn> Columns,
    IReadOnlyList<ExportForeignKey> ForeignKeys)
{
    /// <summary>What the table is to the export (the tenant, a site, the accounts, an opt-in log), from the model.</summary>
    public TableRole? Role { get; init; }

    public IEnumerable<ExportColumn> ExportedColumns => Columns.Where(c => c.Classification != DataClass.Secret);

    public IEnumerable<ExportColumn> SecretColumns => Columns.Where(c => c.Classification == DataClass.Secret);

    /// <summary>The primary key's columns that an export writes: what a reader can join on.</summary>
    public IEnumerable<string> ExportedPrimaryKey => PrimaryKey.Where(k => ExportedColumns.Any(c => c.Name == k));

    /// <summary>
    /// How a table whose key is partly secret (user_logins: login_provider, provider_key) is keyed,
    /// for a reader who finds its exported key columns are not unique; null when the whole key is exported.
    /// </summary>
    public string? KeyNote
    {
        get
        {
            var withheld = PrimaryKey.Except(ExportedPrimaryKey).ToList();
            if (withheld.Count == 0)
            {
                return null;
            }

            var joins = ForeignKeys.Select(fk => $"{string.Join(", ", fk.Columns)} → {fk.PrincipalTable}.{string.Join(", ", fk.PrincipalColumns)}").ToList();
            return $"keyed in the database by ({string.Join(", ", PrimaryKey)}); {string.Join(", ", withheld)} is secret and never exported, " +
                "so primaryKey lists only the exported key columns, which do not identify a row on their own" +
                (joins.Count > 0 ? $"; join through {string.Join("; ", joins)}" : "");
        }
    }

    /// <summary>
    /// A table whose every non-key column is secret carries nothing worth exporting. A pure join
    /// table (user_roles: only key columns, none secret) is not secret at all.
    /// </summary>
    public bool IsWhollySecret =>
        SecretColumns.Any() && Columns.Where(c => !PrimaryKey.Contains(c.Name)).All(c => c.Classification == DataClass.Secret);
}

/// <summary>
/// Every table of the EF model, in dependency order (parents before children). Derived once
/// from the model: a newly mapped entity appears here without any list being edited.
/// </summary>
public sealed class ExportCatalog
{
    /// <summary>
    /// Operational history that spans tenants (the opt-in log and the export audit trail): a company,
    /// site or date segment leaves it out unless the tables filter names it, since its rows belong to nobody's segment.
    /// </summary>
    public static readonly IReadOnlySet<string> HistoryTables = new HashSet<string>(StringComparer.Ordinal) { "debug_logs", "export_audit" };

    internal ExportCatalog(IReadOnlyList<ExportTable> tables) => Tables = tables;

    public IReadOnlyList<ExportTable> Tables { get; }

    public ExportTable? Find(string name) => Tables.FirstOrDefault(t => t.Name == name);

    /// <summary>The name of the table the model gives this role, or null when none has it.</summary>
    public string? NameOf(TableRole role) => Tables.FirstOrDefault(t => t.Role == role)?.Name;

    public static ExportCatalog FromModel(IModel model)
    {
        var tables = model.GetEntityTypes()
            .Where(e => e.GetTableName() is not null && !e.IsOwned())
            .Select(ToTable)
            .ToList();
        return new ExportCatalog(DependencyOrder(tables));
    }

    private static ExportTable ToTable(IEntityType entity)
    {
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties()
            .Select(p => new ExportColumn(
                p.GetColumnName(table)!,
                p.GetRelationalTypeMapping().StoreType,
                p.IsNullable,
                p.FindClassification() ?? throw new InvalidOperationException(
                    $"{table.Name}.{p.GetColumnName(table)} has no classification; declare one in its entity configuration."),
                KindOf(p),
                p.FindPersonalKind())
            {
                IsEventDate = p.IsEventDate(),
                DecimalDigits = KindOf(p) == ValueKind.Decimal ? (p.GetPrecision() ?? 18, p.GetScale() ?? 2) : null,
            })
            .ToList();
        var primaryKey = entity.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName(table)!).ToList();
        var foreignKeys = entity.GetForeignKeys()
            .Select(fk => new ExportForeignKey(
                fk.Properties.Select(p => p.GetColumnName(table)!).ToList(),
                fk.PrincipalEntityType.GetTableName()!,
                fk.PrincipalKey.Properties
                    .Select(p => p.GetColumnName(StoreObjectIdentifier.Table(fk.PrincipalEntityType.GetTableName()!, fk.PrincipalEntityType.GetSchema()))!)
                    .ToList()))
            .OrderBy(fk => string.Join(",", fk.Columns), StringComparer.Ordinal)
            .ToList();
        return new ExportTable(table.Name, primaryKey, columns, foreignKeys) { Role = entity.FindTableRole() };
    }

    private static ValueKind KindOf(IProperty property)
    {
        if (property.IsJsonText())
        {
            return ValueKind.Json;
        }

        var mapping = property.GetTypeMapping();
        var type = mapping.Converter?.ProviderClrType ?? property.ClrType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => ValueKind.Text,
            _ when type == typeof(Guid) => ValueKind.Guid,
            _ when type == typeof(DateTime) => ValueKind.DateTime,
            _ when type == typeof(DateTimeOffset) => ValueKind.DateTimeOffset,
            _ when type == typeof(DateOnly) => ValueKind.Date,
            _ when type == typeof(bool) => ValueKind.Boolean,
            _ when type == typeof(int) => ValueKind.Int32,
            _ when type == typeof(long) => ValueKind.Int64,
            _ when type == typeof(double) => ValueKind.Double,
            _ when type == typeof(decimal) => ValueKind.Decimal,
            _ when type == typeof(byte[]) => ValueKind.Binary,
            _ => throw new NotSupportedException($"Column type {type.Name} of {property.DeclaringType.DisplayName()}.{property.Name} has no export mapping."),
        };
    }

    // Kahn's algorithm, ties broken by name so the order is stable. A cycle (companies.created_by ->
    // users and users.company_id -> companies, both nullable) is broken at the alphabetically first
    // table on it: such rows can only be loaded with one of the keys filled in afterwards anyway.
    private static List<ExportTable> DependencyOrder(List<ExportTable> tables)
    {
        var remaining = tables.ToDictionary(t => t.Name);
        var ordered = new List<ExportTable>(tables.Count);
        IEnumerable<string> Parents(ExportTable t) =>
            t.ForeignKeys.Select(fk => fk.PrincipalTable).Where(p => p != t.Name && remaining.ContainsKey(p));

        bool OnCycle(ExportTable start)
        {
            var seen = new HashSet<string>();
            var stack = new Stack<string>(Parents(start));
            while (stack.TryPop(out var name))
            {
                if (name == start.Name)
                {
                    return true;
                }

                if (seen.Add(name))
                {
                    foreach (var parent in Parents(remaining[name]))
                    {
                        stack.Push(parent);
                    }
                }
            }

            return false;
        }

        while (remaining.Count > 0)
        {
            var byName = remaining.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
            var next = byName.FirstOrDefault(t => !Parents(t).Any()) ?? byName.First(OnCycle);
            ordered.Add(next);
            remaining.Remove(next.Name);
        }

        return ordered;
    }
}

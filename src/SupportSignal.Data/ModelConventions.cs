using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SupportSignal.Data;

/// <summary>
/// Model-wide rules applied after every entity is configured: snake_case names for
/// columns, keys and indexes; enums stored as snake_case text; no cascading deletes
/// between domain tables (SQL Server refuses multiple cascade paths, and an incident
/// system should never lose children silently).
/// </summary>
internal static class ModelConventions
{
    public static void Apply(ModelBuilder builder)
    {
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
                var enumType = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
                if (enumType.IsEnum)
                {
                    property.SetValueConverter((ValueConverter)Activator.CreateInstance(
                        typeof(EnumToSnakeCaseConverter<>).MakeGenericType(enumType))!);
                    property.SetMaxLength(40);
                }
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(key.IsPrimaryKey() ? $"pk_{table}" : $"ak_{table}_{Columns(key.Properties)}");
            }

            foreach (var fk in entity.GetForeignKeys())
            {
                fk.SetConstraintName($"fk_{table}_{fk.PrincipalEntityType.GetTableName()}_{Columns(fk.Properties)}");
                if (!IsIdentityOwned(entity))
                {
                    fk.DeleteBehavior = DeleteBehavior.Restrict;
                }
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName($"{(index.IsUnique ? "ux" : "ix")}_{table}_{Columns(index.Properties)}");
            }
        }
    }

    // Identity's own join tables keep Identity's cascades (deleting a user removes its logins and roles).
    private static bool IsIdentityOwned(IMutableEntityType entity) =>
        entity.ClrType.Namespace?.StartsWith("Microsoft.AspNetCore.Identity", StringComparison.Ordinal) == true;

    private static string Columns(IEnumerable<IReadOnlyProperty> properties) =>
        string.Join("_", properties.Select(p => ToSnakeCase(p.Name)));

    public static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLower = i > 0 && !char.IsUpper(name[i - 1]);
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (i > 0 && (previousIsLower || (nextIsLower && char.IsUpper(name[i - 1]))))
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}

/// <summary>Stores an enum as snake_case text: <c>InProgress</c> becomes <c>in_progress</c>.</summary>
public sealed class EnumToSnakeCaseConverter<TEnum>()
    : ValueConverter<TEnum, string>(v => ToText(v), v => FromText(v))
    where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> _toText =
        Enum.GetValues<TEnum>().ToDictionary(v => v, v => ModelConventions.ToSnakeCase(v.ToString()));

    private static readonly Dictionary<string, TEnum> _fromText = _toText.ToDictionary(p => p.Value, p => p.Key);

    public static string ToText(TEnum value) => _toText[value];

    public static TEnum FromText(string text) => _fromText[text];
}

/// <summary>
/// An enum value's stored text, as <see cref="EnumToSnakeCaseConverter{TEnum}"/> writes it, for plain ADO.NET
/// writes (the audit trail) that load no EF Core: the converter's EF Core base type would.
/// </summary>
public static class StoredEnum
{
    public static string Text(Enum value) => ModelConventions.ToSnakeCase(value.ToString());
}

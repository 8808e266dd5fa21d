using System.Text.Json;

using SupportSignal.Data;
using SupportSignal.Data.Classification;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export.Catalog;

/// <summary>
/// The catalog of each provider's model, kept in the repository as data (Catalog/Stored/&lt;provider&gt;.json,
/// embedded in this assembly), with the migrations that make that schema, so an export that starts without
/// EF Core (the CLI) needs no model and no scan of the migration types at all.
/// Read with <see cref="JsonDocument"/>, not the reflection serializer, whose first call costs a CLI run
/// tens of milliseconds. A unit test compares each stored catalog with <see cref="ExportCatalog.FromModel"/>
/// (and the migrations with <c>DatabaseMigrator.KnownMigrations</c>) and tells how to regenerate it.
/// </summary>
public static class StoredCatalog
{
    // By provider; two threads that load one at once both parse it, harmlessly. No generic collection keyed by
    // an enum: ReadyToRun cannot precompile one, and its JIT cost a CLI export milliseconds.
    private static readonly Stored?[] _loaded = new Stored?[Enum.GetValues<DatabaseProvider>().Length];

    /// <summary>The stored catalog of <paramref name="provider"/>'s model.</summary>
    public static ExportCatalog For(DatabaseProvider provider) => Load(provider).Catalog;

    /// <summary>The migrations of this build for <paramref name="provider"/>, oldest first, as stored with its catalog.</summary>
    public static IReadOnlyList<string> MigrationsOf(DatabaseProvider provider) => Load(provider).Migrations;

    private static Stored Load(DatabaseProvider provider)
    {
        if (Volatile.Read(ref _loaded[(int)provider]) is { } loaded)
        {
            return loaded;
        }

        using var stream = typeof(StoredCatalog).Assembly.GetManifestResourceStream(ResourceName(provider))
            ?? throw new InvalidOperationException($"No stored export catalog for {provider}.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var (catalog, migrations) = Read(bytes);
        var stored = new Stored(catalog, migrations);
        Volatile.Write(ref _loaded[(int)provider], stored);
        return stored;
    }

    private sealed record Stored(ExportCatalog Catalog, IReadOnlyList<string> Migrations);

    /// <summary>The file a provider's catalog is stored in, relative to this project.</summary>
    public static string FileName(DatabaseProvider provider) => $"Catalog/Stored/{provider.ToString().ToLowerInvariant()}.json";

    private static string ResourceName(DatabaseProvider provider) => $"SupportSignal.Export.Catalog.Stored.{provider.ToString().ToLowerInvariant()}.json";

    /// <summary>The catalog as stored: every table in its order, every field of every column, key and foreign key.</summary>
    public static string Write(ExportCatalog catalog, IEnumerable<string> migrations)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            MetadataWriter.WriteStrings(json, "migrations", migrations);
            json.WriteStartArray("tables");
            foreach (var table in catalog.Tables)
            {
                json.WriteStartObject();
                json.WriteString("name", table.Name);
                WriteEnum(json, "role", table.Role);
                MetadataWriter.WriteStrings(json, "primaryKey", table.PrimaryKey);
                json.WriteStartArray("columns");
                foreach (var column in table.Columns)
                {
                    json.WriteStartObject();
                    json.WriteString("name", column.Name);
                    json.WriteString("storeType", column.StoreType);
                    json.WriteBoolean("nullable", column.Nullable);
                    json.WriteString("classification", column.Classification.ToString());
                    json.WriteString("kind", column.Kind.ToString());
                    WriteEnum(json, "personal", column.Personal);
                    json.WriteBoolean("eventDate", column.IsEventDate);
                    if (column.DecimalDigits is var (precision, scale))
                    {
                        json.WriteStartArray("decimalDigits");
                        json.WriteNumberValue(precision);
                        json.WriteNumberValue(scale);
                        json.WriteEndArray();
                    }
                    else
                    {
                        json.WriteNull("decimalDigits");
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("foreignKeys");
                foreach (var foreignKey in table.ForeignKeys)
                {
                    json.WriteStartObject();
                    MetadataWriter.WriteStrings(json, "columns", foreignKey.Columns);
                    json.WriteString("principalTable", foreignKey.PrincipalTable);
                    MetadataWriter.WriteStrings(json, "principalColumns", foreignKey.PrincipalColumns);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Reads a catalog <see cref="Write"/> wrote.</summary>
    // Plain loops, no LINQ over JsonElement: generic code over another assembly's struct is not precompiled
    // (ReadyToRun), and JIT-compiling it cost a CLI export more than parsing the file.
    public static (ExportCatalog Catalog, IReadOnlyList<string> Migrations) Read(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        var tables = new List<ExportTable>();
        foreach (var table in document.RootElement.GetProperty("tables").EnumerateArray())
        {
            var columns = new List<ExportColumn>();
            foreach (var column in table.GetProperty("columns").EnumerateArray())
            {
                var digits = column.GetProperty("decimalDigits");
                columns.Add(new ExportColumn(
                    column.GetProperty("name").GetString()!,
                    column.GetProperty("storeType").GetString()!,
                    column.GetProperty("nullable").GetBoolean(),
                    (DataClass)Enum.Parse(typeof(DataClass), column.GetProperty("classification").GetString()!),
                    (ValueKind)Enum.Parse(typeof(ValueKind), column.GetProperty("kind").GetString()!),
                    (PersonalKind?)ReadEnum(typeof(PersonalKind), column.GetProperty("personal")))
                {
                    IsEventDate = column.GetProperty("eventDate").GetBoolean(),
                    DecimalDigits = digits.ValueKind == JsonValueKind.Array ? (digits[0].GetInt32(), digits[1].GetInt32()) : null,
                });
            }

            var foreignKeys = new List<ExportForeignKey>();
            foreach (var foreignKey in table.GetProperty("foreignKeys").EnumerateArray())
            {
                foreignKeys.Add(new ExportForeignKey(
                    Names(foreignKey.GetProperty("columns")),
                    foreignKey.GetProperty("principalTable").GetString()!,
                    Names(foreignKey.GetProperty("principalColumns"))));
            }

            tables.Add(new ExportTable(table.GetProperty("name").GetString()!, Names(table.GetProperty("primaryKey")), columns, foreignKeys)
            {
                Role = (TableRole?)ReadEnum(typeof(TableRole), table.GetProperty("role")),
            });
        }

        return (new ExportCatalog(tables), Names(document.RootElement.GetProperty("migrations")));
    }

    private static void WriteEnum<T>(Utf8JsonWriter json, string property, T? value)
        where T : struct, Enum
    {
        if (value is { } set)
        {
            json.WriteString(property, set.ToString());
        }
        else
        {
            json.WriteNull(property);
        }
    }

    private static List<string> Names(JsonElement array)
    {
        var names = new List<string>(array.GetArrayLength());
        foreach (var name in array.EnumerateArray())
        {
            names.Add(name.GetString()!);
        }

        return names;
    }

    // Not Enum.Parse<T>: a generic method over this assembly's enums is JIT-compiled at start (see _loaded).
    private static object? ReadEnum(Type type, JsonElement value) =>
        value.ValueKind == JsonValueKind.Null ? null : Enum.Parse(type, value.GetString()!);
}

using System.Data.Common;
using System.Globalization;
using System.Text.Json;

using SupportSignal.Data.Classification;
using SupportSignal.Export.Catalog;

namespace SupportSignal.Export.Deidentification;

/// <summary>Writes one column's value in place of the stored one; the reader is positioned on the row.</summary>
internal delegate void ColumnTransform(Utf8JsonWriter writer, DbDataReader reader, int ordinal);

/// <summary>How a de-identified export treats one column, for the metadata.</summary>
public sealed record DeidentifiedColumn(string Table, string Column, string Method);

/// <summary>
/// The de-identified mode: personal columns get stable pseudonyms (or placeholders, or only a
/// birth year), free-text columns are scrubbed of every known person and of contact details.
/// Built per export inside its snapshot, from the people the database names.
/// </summary>
internal sealed class Deidentifier
{
    public const string PhonePlaceholder = "[phone]";
    public const string AddressPlaceholder = "[address]";
    private const string ParticipantPrefix = "Participant ";

    private readonly Pseudonyms _pseudonyms;
    private readonly TextScrubber _scrubber;

    private readonly Dictionary<string, Dictionary<Guid, string?[]>> _namesByTable;
    private readonly Dictionary<(string Table, Guid Id), NameContext?> _contexts = [];
    private readonly ExportCatalog _catalog;

    private Deidentifier(
        ExportCatalog catalog, Pseudonyms pseudonyms, KnownPeople people, bool keyConfigured, Dictionary<string, Dictionary<Guid, string?[]>> namesByTable)
    {
        _catalog = catalog;
        _pseudonyms = pseudonyms;
        _scrubber = new TextScrubber(people);
        _namesByTable = namesByTable;
        People = people;
        KeyConfigured = keyConfigured;
    }

    public KnownPeople People { get; }

    /// <summary>True when pseudonyms come from Export:PseudonymKey (stable across exports), false for a fresh key.</summary>
    public bool KeyConfigured { get; }

    /// <summary>Reads every name the database holds (all tables, exported or not) and registers each person.</summary>
    public static async Task<Deidentifier> CreateAsync(
        ExportCatalog catalog, string? configuredKey, Func<string, CancellationToken, Task<List<string?[]>>> query,
        Func<string, string> delimit, CancellationToken cancellationToken)
    {
        var pseudonyms = new Pseudonyms(configuredKey is { Length: > 0 } ? Pseudonyms.KeyFrom(configuredKey) : Pseudonyms.RandomKey());
        var people = new KnownPeople();

        async Task EachAsync(PersonalKind kind, Func<ExportTable, ExportColumn, Task> action)
        {
            foreach (var table in catalog.Tables)
            {
                foreach (var column in table.Columns.Where(c => c.Personal == kind))
                {
                    await action(table, column);
                }
            }
        }

        await EachAsync(PersonalKind.ParticipantGivenName, async (table, given) =>
        {
            var family = table.Columns.First(c => c.Personal == PersonalKind.ParticipantFamilyName);
            foreach (var row in await query($"SELECT {delimit(given.Name)}, {delimit(family.Name)} FROM {delimit(table.Name)}", cancellationToken))
            {
                var full = $"{row[0]} {row[1]}";
                people.Add(full, pseudonyms.Participant(full), row[0], row[1]);
            }
        });
        await EachAsync(PersonalKind.ParticipantName, async (table, column) =>
        {
            foreach (var name in await DistinctAsync(table, column))
            {
                people.Add(name, pseudonyms.Participant(name));
            }
        });
        await EachAsync(PersonalKind.UserFullName, async (table, column) =>
        {
            foreach (var name in await DistinctAsync(table, column))
            {
                people.Add(name, pseudonyms.User(name));
            }
        });
        await EachAsync(PersonalKind.ContactDetails, async (table, column) =>
        {
            foreach (var details in await DistinctAsync(table, column))
            {
                if (ContactName(details) is { Length: > 0 } name)
                {
                    people.Add(name, pseudonyms.Contact(name));
                }
            }
        });
        // Who each row of a naming table is about, so prose hanging off it resolves shared given names to its own people.
        var namesByTable = new Dictionary<string, Dictionary<Guid, string?[]>>();
        foreach (var table in catalog.Tables.Where(t => NameColumns(t).Count > 0 && t.PrimaryKey.Count == 1))
        {
            var columns = NameColumns(table);
            var sql = $"SELECT {delimit(table.PrimaryKey[0])}, {string.Join(", ", columns.Select(c => delimit(c.Name)))} FROM {delimit(table.Name)}";
            var names = new Dictionary<Guid, string?[]>();
            foreach (var row in await query(sql, cancellationToken))
            {
                if (Guid.TryParse(row[0], out var id))
                {
                    names[id] = row[1..];
                }
            }

            namesByTable[table.Name] = names;
        }

        return new Deidentifier(catalog, pseudonyms, people, configuredKey is { Length: > 0 }, namesByTable);

        async Task<IEnumerable<string>> DistinctAsync(ExportTable table, ExportColumn column) =>
            (await query($"SELECT DISTINCT {delimit(column.Name)} FROM {delimit(table.Name)}", cancellationToken))
                .Select(r => r[0]).OfType<string>();
    }

    /// <summary>The transform of each exported column (null where the value is written as stored), or null when the table needs none.</summary>
    public ColumnTransform?[]? TransformsFor(ExportTable table)
    {
        var columns = table.ExportedColumns.ToList();
        var context = ContextFor(table, columns);
        var transforms = columns.Select(c => TransformFor(c, columns, context)).ToArray();
        return transforms.Any(t => t is not null) ? transforms : null;
    }

    private static List<ExportColumn> NameColumns(ExportTable table) =>
        table.Columns.Where(c => c.Personal is PersonalKind.ParticipantName or PersonalKind.ParticipantGivenName
            or PersonalKind.ParticipantFamilyName or PersonalKind.UserFullName).ToList();

    // The people of a row: its own name columns, else those of the parent row it hangs off (an incident, a participant).
    private Func<DbDataReader, NameContext?> ContextFor(ExportTable table, List<ExportColumn> columns)
    {
        var own = NameColumns(table);
        if (own.Count > 0)
        {
            var ordinals = own.Select(c => columns.IndexOf(c)).ToArray();
            return reader => BuildContext(own, ordinals.Select(o => reader.IsDBNull(o) ? null : reader.GetString(o)).ToArray());
        }

        var link = table.ForeignKeys
            .Where(fk => fk.Columns.Count == 1 && _namesByTable.ContainsKey(fk.PrincipalTable))
            .OrderBy(fk => fk.PrincipalTable == "users")
            .ThenBy(fk => fk.Columns[0], StringComparer.Ordinal)
            .FirstOrDefault();
        var ordinal = link is null ? -1 : columns.FindIndex(c => c.Name == link.Columns[0]);
        if (link is null || ordinal < 0)
        {
            return _ => null;
        }

        var parent = link.PrincipalTable;
        var parentColumns = NameColumns(_catalog.Find(parent)!);
        return reader =>
        {
            if (reader.IsDBNull(ordinal))
            {
                return null;
            }

            var id = reader.GetGuid(ordinal);
            if (!_contexts.TryGetValue((parent, id), out var context))
            {
                context = _namesByTable[parent].TryGetValue(id, out var names) ? BuildContext(parentColumns, names) : null;
                _contexts[(parent, id)] = context;
            }

            return context;
        };
    }

    private NameContext BuildContext(List<ExportColumn> columns, string?[] values)
    {
        var entries = new List<(string, string)>();
        void Add(string full, string pseudonym, params string?[] parts)
        {
            entries.Add((full, pseudonym));
            var words = full.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var part in parts.Concat(words.Length > 1 ? [words[0], words[^1]] : []).OfType<string>())
            {
                entries.Add((part, pseudonym));
            }
        }

        var given = columns.FindIndex(c => c.Personal == PersonalKind.ParticipantGivenName);
        var family = columns.FindIndex(c => c.Personal == PersonalKind.ParticipantFamilyName);
        if (given >= 0 && family >= 0)
        {
            var full = $"{values[given]} {values[family]}";
            Add(full, _pseudonyms.Participant(full), values[given], values[family]);
        }

        for (var i = 0; i < columns.Count; i++)
        {
            if (values[i] is { } name && columns[i].Personal is PersonalKind.ParticipantName or PersonalKind.UserFullName)
            {
                Add(name, columns[i].Personal == PersonalKind.ParticipantName ? _pseudonyms.Participant(name) : _pseudonyms.User(name));
            }
        }

        return new NameContext([.. entries]);
    }

    public static IEnumerable<DeidentifiedColumn> Describe(IEnumerable<ExportTable> tables) =>
        tables.SelectMany(t => t.ExportedColumns.Select(c => Method(c) is { } method ? new DeidentifiedColumn(t.Name, c.Name, method) : null))
            .OfType<DeidentifiedColumn>();

    public static bool IsScrubbed(DeidentifiedColumn column) => column.Method == ScrubbedMethod;

    private const string ScrubbedMethod = "scrubbed: names to pseudonyms, e-mail, phone and NDIS numbers to placeholders";

    private static string? Method(ExportColumn column) => column.Classification switch
    {
        DataClass.FreeText => ScrubbedMethod,
        DataClass.Personal => column.Personal switch
        {
            PersonalKind.ParticipantName => "pseudonym: Participant XXXXXX",
            PersonalKind.ParticipantGivenName => "replaced by \"Participant\" (the family name holds the pseudonym code)",
            PersonalKind.ParticipantFamilyName => "pseudonym code: XXXXXX",
            PersonalKind.UserFullName => "pseudonym: User XXXXXX",
            PersonalKind.Email => "pseudonym: user-xxxxxx@example.invalid",
            PersonalKind.NdisNumber => "pseudonym: NDIS-XXXXXXXX",
            PersonalKind.Phone => $"placeholder {PhonePlaceholder}",
            PersonalKind.Address => $"placeholder {AddressPlaceholder}",
            PersonalKind.BirthDate => "year only",
            _ => ScrubbedMethod,
        },
        _ => null,
    };

    private ColumnTransform? TransformFor(ExportColumn column, List<ExportColumn> columns, Func<DbDataReader, NameContext?> context)
    {
        if (column.Classification == DataClass.FreeText)
        {
            return column.Kind == ValueKind.Json
                ? (w, r, i) => _scrubber.WriteScrubbedJson(w, r.GetString(i), context(r))
                : (w, r, i) => w.WriteStringValue(_scrubber.Scrub(r.GetString(i), context(r)));
        }

        if (column.Classification != DataClass.Personal)
        {
            return null;
        }

        switch (column.Personal)
        {
            case PersonalKind.ParticipantName:
                return (w, r, i) => w.WriteStringValue(_pseudonyms.Participant(r.GetString(i)));
            case PersonalKind.ParticipantGivenName:
                return (w, _, _) => w.WriteStringValue(ParticipantPrefix.TrimEnd());
            case PersonalKind.ParticipantFamilyName:
                var given = columns.FindIndex(c => c.Personal == PersonalKind.ParticipantGivenName);
                return (w, r, i) =>
                {
                    var full = $"{(given >= 0 && !r.IsDBNull(given) ? r.GetString(given) : "")} {r.GetString(i)}";
                    w.WriteStringValue(_pseudonyms.Participant(full)[ParticipantPrefix.Length..]);
                };
            case PersonalKind.UserFullName:
                return (w, r, i) => w.WriteStringValue(_pseudonyms.User(r.GetString(i)));
            case PersonalKind.Email:
                return (w, r, i) => w.WriteStringValue(_pseudonyms.Email(r.GetString(i)));
            case PersonalKind.NdisNumber:
                return (w, r, i) => w.WriteStringValue(_pseudonyms.NdisNumber(r.GetString(i)));
            case PersonalKind.Phone:
                return (w, _, _) => w.WriteStringValue(PhonePlaceholder);
            case PersonalKind.Address:
                return (w, _, _) => w.WriteStringValue(AddressPlaceholder);
            case PersonalKind.BirthDate:
                return (w, r, i) => w.WriteStringValue(r.GetFieldValue<DateOnly>(i).Year.ToString(CultureInfo.InvariantCulture));
            default:
                return (w, r, i) => w.WriteStringValue(_scrubber.Scrub(r.GetString(i), context(r)));
        }
    }

    // "Ana Silva (mother) 0412 345 678" names Ana Silva: the words before the details.
    private static string ContactName(string details)
    {
        var end = details.IndexOfAny(['(', '+', ',', ';', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
        return (end < 0 ? details : details[..end]).Trim();
    }
}

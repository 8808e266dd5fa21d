using System.Data.Common;
using System.Globalization;
using System.Text.Json;

using SupportSignal.Data.Classification;
using SupportSignal.Export.Catalog;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export.Deidentification;

/// <summary>Writes one column's value in place of the stored one; the row source is positioned on the row.</summary>
internal delegate void ColumnTransform(Utf8JsonWriter writer, IExportRow row, int ordinal);

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

    // A scrubber's buffers serve one value at a time, and parallel readers scrub on their own threads:
    // one scrubber per thread (a value is scrubbed within one synchronous call, so no reader shares one).
    private readonly ThreadLocal<TextScrubber> _scrubbers;

    // Who each row of a naming table (participants, incidents, users) is about, by its key.
    private readonly Dictionary<string, Dictionary<Guid, NameContext?>> _contexts;

    // The accounts table: a row's own people come before the accounts that acted on it.
    private readonly string? _accounts;

    private Deidentifier(
        Pseudonyms pseudonyms, KnownPeople people, bool keyConfigured, Dictionary<string, Dictionary<Guid, NameContext?>> contexts, string? accounts)
    {
        _accounts = accounts;
        _pseudonyms = pseudonyms;
        _scrubbers = new ThreadLocal<TextScrubber>(() => new TextScrubber(people));
        _contexts = contexts;
        People = people;
        KeyConfigured = keyConfigured;
    }

    public KnownPeople People { get; }

    /// <summary>True when pseudonyms come from Export:PseudonymKey (stable across exports), false for a fresh key.</summary>
    public bool KeyConfigured { get; }

    /// <summary>Reads every name the database holds (all tables, exported or not) and registers each person.</summary>
    /// <param name="query">Runs a SELECT inside the export's snapshot, handing over the reader on each row.</param>
    public static async Task<Deidentifier> CreateAsync(
        ExportCatalog catalog, string? configuredKey, Func<string, Action<DbDataReader>, CancellationToken, Task> query,
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

        // A table naming people by a single-column key (participants, incidents, users) is read once: its rows give
        // both the names to register and, once every person is registered, who each row is about.
        var named = new Dictionary<string, NamingRows>(StringComparer.Ordinal);
        foreach (var table in catalog.Tables.Where(t => NameColumns(t).Count > 0 && t.PrimaryKey.Count == 1))
        {
            var rows = new NamingRows(NameColumns(table));
            var sql = $"SELECT {delimit(table.PrimaryKey[0])}, {string.Join(", ", rows.Columns.Select(c => delimit(c.Name)))} FROM {delimit(table.Name)}";
            await query(sql, rows.Read, cancellationToken);
            named[table.Name] = rows;
        }

        await EachAsync(PersonalKind.ParticipantGivenName, async (table, given) =>
        {
            var family = table.Columns.First(c => c.Personal == PersonalKind.ParticipantFamilyName);
            void Add(string? first, string? last)
            {
                var full = $"{first} {last}";
                people.Add(full, pseudonyms.Participant(full), first, last);
            }

            if (named.TryGetValue(table.Name, out var rows))
            {
                var (g, f) = (rows.Columns.IndexOf(given), rows.Columns.IndexOf(family));
                for (var row = 0; row < rows.Count; row++)
                {
                    Add(rows.Value(row, g), rows.Value(row, f));
                }

                return;
            }

            await query($"SELECT {delimit(given.Name)}, {delimit(family.Name)} FROM {delimit(table.Name)}", row =>
                Add(Text(row, 0), Text(row, 1)), cancellationToken);
        });
        await EachAsync(PersonalKind.ParticipantName, (table, column) =>
            DistinctAsync(table, column, name => people.Add(name, pseudonyms.Participant(name))));
        await EachAsync(PersonalKind.UserFullName, (table, column) =>
            DistinctAsync(table, column, name => people.Add(name, pseudonyms.User(name))));
        await EachAsync(PersonalKind.ContactDetails, (table, column) => DistinctAsync(table, column, details =>
        {
            if (ContactName(details) is { Length: > 0 } name)
            {
                people.Add(name, pseudonyms.Contact(name));
            }
        }));

        // Who each row of a naming table is about, so prose hanging off it resolves shared given
        // names to its own people.
        var cache = new ContextCache(pseudonyms, people);
        var contexts = new Dictionary<string, Dictionary<Guid, NameContext?>>(StringComparer.Ordinal);
        foreach (var (table, rows) in named)
        {
            contexts[table] = cache.ContextsOf(rows);
        }

        return new Deidentifier(pseudonyms, people, configuredKey is { Length: > 0 }, contexts, catalog.NameOf(TableRole.Accounts));

        // Each distinct name a column holds, in the order the database first returns it.
        async Task DistinctAsync(ExportTable table, ExportColumn column, Action<string> each)
        {
            if (named.TryGetValue(table.Name, out var rows) && rows.Columns.IndexOf(column) is var read and >= 0)
            {
                foreach (var value in rows.Distinct(read))
                {
                    each(value);
                }

                return;
            }

            await query($"SELECT DISTINCT {delimit(column.Name)} FROM {delimit(table.Name)}", row =>
            {
                if (Text(row, 0) is { } value)
                {
                    each(value);
                }
            }, cancellationToken);
        }
    }

    /// <summary>
    /// A naming table's rows as read once: each row's key and, per name column, the number of its value among
    /// that column's distinct values (kept in the order they first occur, as <c>SELECT DISTINCT</c> on a scan returns them).
    /// </summary>
    private sealed class NamingRows(List<ExportColumn> columns)
    {
        private readonly List<Guid> _keys = [];
        private readonly List<int> _cells = [];
        private readonly List<string>[] _values = [.. columns.Select(_ => new List<string>())];
        private readonly Dictionary<string, int>[] _numbers = [.. columns.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal))];

        public List<ExportColumn> Columns => columns;

        public int Count => _keys.Count;

        public Guid Key(int row) => _keys[row];

        /// <summary>The number of the row's value among the column's distinct values; -1 for null.</summary>
        public int Number(int row, int column) => _cells[(row * columns.Count) + column];

        public string? Value(int row, int column) => Number(row, column) is var n and >= 0 ? _values[column][n] : null;

        /// <summary>The column's distinct values, in the order they first occur; a value's place is its <see cref="Number"/>.</summary>
        public IReadOnlyList<string> Distinct(int column) => _values[column];

        // The key first, then the name columns.
        public void Read(DbDataReader row)
        {
            _keys.Add(row.GetGuid(0));
            for (var i = 0; i < columns.Count; i++)
            {
                _cells.Add(Text(row, i + 1) is { } value ? Number(i, value) : -1);
            }
        }

        private int Number(int column, string value)
        {
            if (!_numbers[column].TryGetValue(value, out var number))
            {
                _numbers[column].Add(value, number = _values[column].Count);
                _values[column].Add(value);
            }

            return number;
        }
    }

    private static string? Text(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

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

    // The people of a row: its own (a participant, an incident), else those of the row it hangs off
    // (the incident a narrative, answer or log belongs to). Looked up once per row, however many
    // of its columns are scrubbed.
    private Func<IExportRow, NameContext?> ContextFor(ExportTable table, List<ExportColumn> columns)
    {
        var (parent, key) = NameColumns(table).Count > 0 && table.PrimaryKey.Count == 1
            ? (table.Name, table.PrimaryKey[0])
            : table.ForeignKeys
                .Where(fk => fk.Columns.Count == 1 && _contexts.ContainsKey(fk.PrincipalTable))
                .OrderBy(fk => fk.PrincipalTable == _accounts)
                .ThenBy(fk => fk.Columns[0], StringComparer.Ordinal)
                .Select(fk => (fk.PrincipalTable, fk.Columns[0]))
                .FirstOrDefault();
        var ordinal = key is null ? -1 : columns.FindIndex(c => c.Name == key);
        if (ordinal < 0 || !_contexts.TryGetValue(parent!, out var byKey))
        {
            return _ => null;
        }

        // Rows hanging off the same parent tend to follow one another (an incident's questions, its answers):
        // the last parent's context is kept.
        var position = -1L;
        Guid? parentKey = null;
        NameContext? context = null;
        return row =>
        {
            if (row.Position != position)
            {
                position = row.Position;
                Guid? key = row.IsNull(ordinal) ? null : row.GetGuid(ordinal);
                if (key != parentKey)
                {
                    parentKey = key;
                    context = key is { } found ? byKey.GetValueOrDefault(found) : null;
                }
            }

            return context;
        };
    }

    /// <summary>
    /// The people of rows from their name columns: given and family name make one participant; a
    /// participant_name or a user's name is one person each. Each distinct stored name is resolved to its
    /// person once, and rows naming the same people share one NameContext.
    /// </summary>
    private sealed class ContextCache(Pseudonyms pseudonyms, KnownPeople people)
    {
        // Contexts of up to three people are shared, keyed by their numbers (plus two, so that -1, never
        // registered, is not 0); a row naming more people, or a number past 2^21 - 2, gets its own.
        private const int SharedUpTo = 3;
        private const int IdBits = 21;

        private readonly Dictionary<long, NameContext> _contexts = [];

        /// <summary>Who each row of a naming table is about, by the row's key.</summary>
        public Dictionary<Guid, NameContext?> ContextsOf(NamingRows rows)
        {
            var columns = rows.Columns;
            var given = columns.FindIndex(c => c.Personal == PersonalKind.ParticipantGivenName);
            var family = columns.FindIndex(c => c.Personal == PersonalKind.ParticipantFamilyName);

            // The person of each distinct value of a participant_name or user name column, by the value's number.
            var ids = new int[]?[columns.Count];
            for (var i = 0; i < columns.Count; i++)
            {
                ids[i] = columns[i].Personal switch
                {
                    PersonalKind.ParticipantName => [.. rows.Distinct(i).Select(name => people.IdOf(pseudonyms.Participant(name)))],
                    PersonalKind.UserFullName => [.. rows.Distinct(i).Select(name => people.IdOf(pseudonyms.User(name)))],
                    _ => null,
                };
            }

            var byKey = new Dictionary<Guid, NameContext?>(rows.Count);
            Span<int> found = stackalloc int[columns.Count + 1];
            for (var row = 0; row < rows.Count; row++)
            {
                var count = 0;
                if (given >= 0 && family >= 0)
                {
                    found[count++] = people.IdOf(pseudonyms.Participant($"{rows.Value(row, given)} {rows.Value(row, family)}"));
                }

                for (var i = 0; i < columns.Count; i++)
                {
                    if (ids[i] is { } columnIds && rows.Number(row, i) is var number and >= 0)
                    {
                        found[count++] = columnIds[number];
                    }
                }

                byKey[rows.Key(row)] = count == 0 ? null : Shared(found[..count]);
            }

            return byKey;
        }

        private NameContext Shared(ReadOnlySpan<int> found)
        {
            var key = 0L;
            foreach (var id in found)
            {
                if (found.Length > SharedUpTo || id + 2 >= 1 << IdBits)
                {
                    return new NameContext(found, people);
                }

                key = (key << IdBits) | (uint)(id + 2);
            }

            if (!_contexts.TryGetValue(key, out var context))
            {
                _contexts[key] = context = new NameContext(found, people);
            }

            return context;
        }
    }

    public static IEnumerable<DeidentifiedColumn> Describe(IEnumerable<ExportTable> tables) =>
        tables.SelectMany(t => t.ExportedColumns.Select(c => Method(c) is { } method ? new DeidentifiedColumn(t.Name, c.Name, method) : null))
            .OfType<DeidentifiedColumn>();

    public static bool IsScrubbed(DeidentifiedColumn column) => column.Method == ScrubbedMethod;

    /// <summary>True for a column a de-identified export scrubs as prose rather than replacing with a pseudonym.</summary>
    public static bool IsScrubbed(ExportColumn column) => Method(column) == ScrubbedMethod;

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

    private ColumnTransform? TransformFor(ExportColumn column, List<ExportColumn> columns, Func<IExportRow, NameContext?> context)
    {
        if (column.Classification == DataClass.FreeText)
        {
            return column.Kind == ValueKind.Json
                ? (w, r, i) => _scrubbers.Value!.WriteScrubbedJson(w, r.GetUtf8(i), context(r))
                : (w, r, i) => _scrubbers.Value!.WriteScrubbed(w, r.GetUtf8(i), context(r));
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
                    var full = $"{(given >= 0 && !r.IsNull(given) ? r.GetString(given) : "")} {r.GetString(i)}";
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
                return (w, r, i) => w.WriteStringValue(r.GetDate(i).Year.ToString(CultureInfo.InvariantCulture));
            default:
                return (w, r, i) => _scrubbers.Value!.WriteScrubbed(w, r.GetUtf8(i), context(r));
        }
    }

    // "Ana Silva (mother) 0412 345 678" names Ana Silva: the words before the details.
    private static string ContactName(string details)
    {
        var end = details.IndexOfAny(['(', '+', ',', ';', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
        return (end < 0 ? details : details[..end]).Trim();
    }
}

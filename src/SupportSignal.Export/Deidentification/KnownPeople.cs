namespace SupportSignal.Export.Deidentification;

/// <summary>
/// Every person the database names (participants, account holders, reporters, emergency
/// contacts) by full name and by each name on its own, mapped to that person's pseudonym, for
/// finding them in free text. The first person registered under a name keeps it; a full name
/// always wins over a single name because the longest match is tried first.
/// </summary>
internal sealed class KnownPeople
{
    private const int MinimumNameLength = 2;
    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _firstWords = new(StringComparer.OrdinalIgnoreCase);

    // A cheap first test for every word of every text: the (length, first letter, last letter)
    // of each registered first word. Most words fail it and are never hashed.
    private readonly System.Collections.BitArray _shapes = new(1 << 15);

    public int Count => _names.Count;

    /// <summary>False when no registered name can start with this word; true means "look it up".</summary>
    public bool MayStartName(ReadOnlySpan<char> word) => _shapes[Shape(word)];

    private static int Shape(ReadOnlySpan<char> word) =>
        (Math.Min(word.Length, 31) << 10) | (Fold(word[0]) << 5) | Fold(word[^1]);

    // Case-folded to 5 bits: exact for ASCII letters, and consistent for everything else.
    private static int Fold(char c) => (c < 128 ? c | 0x20 : char.ToLowerInvariant(c)) & 31;

    /// <summary>The most words any registered name has.</summary>
    public int MaxWords { get; private set; } = 1;

    public Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Names => _names.GetAlternateLookup<ReadOnlySpan<char>>();

    public HashSet<string>.AlternateLookup<ReadOnlySpan<char>> FirstWords => _firstWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Registers a person's full name and its parts (given name, family name) under one pseudonym.</summary>
    public void Add(string fullName, string pseudonym, params string?[] parts)
    {
        Register(fullName, pseudonym);
        foreach (var part in parts)
        {
            Register(part, pseudonym);
        }

        // A full name's first and last words name the person too ("Zoë" in "Zoë said ...").
        var words = fullName.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 1)
        {
            Register(words[0], pseudonym);
            Register(words[^1], pseudonym);
        }
    }

    private void Register(string? name, string pseudonym)
    {
        if (name is null)
        {
            return;
        }

        var normalized = Pseudonyms.Normalize(name);
        if (normalized.Length < MinimumNameLength)
        {
            return;
        }

        if (_names.TryAdd(normalized, pseudonym))
        {
            var words = normalized.Split(' ');
            _firstWords.Add(words[0]);
            _shapes[Shape(words[0])] = true;
            MaxWords = Math.Max(MaxWords, words.Length);
        }
    }
}

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

    public int Count => _names.Count;

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
            MaxWords = Math.Max(MaxWords, words.Length);
        }
    }
}

namespace SupportSignal.Export.Deidentification;

/// <summary>
/// Every person the database names (participants, account holders, reporters, emergency
/// contacts) by full name and by each name on its own, mapped to that person's pseudonym, for
/// finding them in free text. The first person registered under a name keeps it; a full name
/// always wins over a single name because the longest match is tried first. A name registered
/// for several people keeps all their pseudonyms: there the row's own people decide (<see cref="NameContext"/>).
/// </summary>
internal sealed class KnownPeople
{
    private const int MinimumNameLength = 2;
    private const int FilterBits = 17;
    private readonly Dictionary<string, KnownName> _names = new(NameComparer.Instance);

    // A cheap first test for every word of every text: one bit per hash of each registered
    // name's first word (128 Kbit, so it stays in cache). Most words miss it and are never looked up.
    private readonly ulong[] _firstWords = new ulong[(1 << FilterBits) / 64];

    // The same test for a whole candidate ("Zoë Nguyễn", "Zoë"), before it is decoded and looked up.
    private readonly ulong[] _wholeNames = new ulong[(1 << FilterBits) / 64];

    public int Count => _names.Count;

    /// <summary>False when no registered name starts with the word of this hash (<see cref="NameComparer.WordHash"/>); true means "look it up".</summary>
    public bool MayStartName(uint wordHash) => Test(_firstWords, wordHash);

    /// <summary>False when no registered name has this hash (<see cref="NameComparer.WordHash"/> of the whole name).</summary>
    public bool MayBeName(uint nameHash) => Test(_wholeNames, nameHash);

    private static bool Test(ulong[] filter, uint hash)
    {
        var bit = Bit(hash);
        return (filter[bit >> 6] & (1UL << bit)) != 0;
    }

    private static void Set(ulong[] filter, uint hash)
    {
        var bit = Bit(hash);
        filter[bit >> 6] |= 1UL << bit;
    }

    private static int Bit(uint hash) => (int)((hash * 0x9E3779B1) >> (32 - FilterBits));

    /// <summary>The most words any registered name has.</summary>
    public int MaxWords { get; private set; } = 1;

    /// <summary>The longest registered name, in characters.</summary>
    public int MaxLength { get; private set; }

    public Dictionary<string, KnownName>.AlternateLookup<ReadOnlySpan<char>> Names => _names.GetAlternateLookup<ReadOnlySpan<char>>();

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

        if (_names.TryGetValue(normalized, out var known))
        {
            var sharedBy = known.SharedBy ?? [known.Pseudonym];
            if (!sharedBy.Contains(pseudonym))
            {
                _names[normalized] = known with { SharedBy = [.. sharedBy, pseudonym] };
            }
        }
        else
        {
            _names.Add(normalized, new KnownName(pseudonym, SharedBy: null));
            var words = normalized.Split(' ');
            Set(_firstWords, NameComparer.WordHash(words[0]));
            Set(_wholeNames, NameComparer.WordHash(normalized));
            MaxWords = Math.Max(MaxWords, words.Length);
            MaxLength = Math.Max(MaxLength, normalized.Length);
        }
    }
}

/// <summary>A registered name: the pseudonym of the first person with it, and, when others share it, all their pseudonyms.</summary>
internal readonly record struct KnownName(string Pseudonym, string[]? SharedBy);

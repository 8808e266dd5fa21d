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
    private const int FirstWordBits = 17;
    private const int WholeNameBits = 20;
    private readonly Dictionary<string, KnownName> _names = new(NameComparer.Instance);

    // Each registered person's number: who shares a name is kept as numbers, which are checked faster than strings.
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _pseudonyms = [];

    // A cheap first test for every word of every text: one bit per hash of each registered
    // name's first word (128 Kbit, so it stays in cache: first words are given and family names, a few
    // thousand at most). Most words miss it and are never looked up.
    private readonly ulong[] _firstWords = new ulong[(1 << FirstWordBits) / 64];

    // A cheaper test still, made before a word is read letter by letter: one bit per hash of the ASCII letters
    // each registered first word starts with (NameComparer.AsciiRunHash; "O" for O'Brien, "ZO" for Zoë).
    private readonly ulong[] _firstRuns = new ulong[(1 << FirstWordBits) / 64];

    // The same test for a whole candidate ("Zoë Nguyễn", "Zoë"), before it is decoded and looked up. Every
    // person's full name is in it (tens of thousands on a large database), so it is larger: 1 Mbit keeps
    // the false matches, each a decode and a dictionary lookup, near 1%.
    private readonly ulong[] _wholeNames = new ulong[(1 << WholeNameBits) / 64];

    public int Count => _names.Count;

    /// <summary>False when no registered name starts with the word of this hash (<see cref="NameComparer.WordHash"/>); true means "look it up".</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool MayStartName(uint wordHash) => Test(_firstWords, wordHash, FirstWordBits);

    /// <summary>False when no registered name starts with the ASCII letters of this hash (<see cref="NameComparer.TryScanAsciiRun"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool MayStartWithRun(ulong runHash)
    {
        var bit = RunBit(runHash);
        return (_firstRuns[bit >> 6] & (1UL << bit)) != 0;
    }

    // The run hash is already a product with a large odd number: its top bits are the filter's bit.
    private static int RunBit(ulong runHash) => (int)(runHash >> (64 - FirstWordBits));

    /// <summary>False when no registered name has this hash (<see cref="NameComparer.WordHash"/> of the whole name).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool MayBeName(uint nameHash) => Test(_wholeNames, nameHash, WholeNameBits);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool Test(ulong[] filter, uint hash, int bits)
    {
        var bit = Bit(hash, bits);
        return (filter[bit >> 6] & (1UL << bit)) != 0;
    }

    private static void Set(ulong[] filter, uint hash, int bits)
    {
        var bit = Bit(hash, bits);
        filter[bit >> 6] |= 1UL << bit;
    }

    private static int Bit(uint hash, int bits) => (int)((hash * 0x9E3779B1) >> (32 - bits));

    /// <summary>The most words any registered name has.</summary>
    public int MaxWords { get; private set; } = 1;

    /// <summary>The longest registered name, in characters.</summary>
    public int MaxLength { get; private set; }

    public Dictionary<string, KnownName>.AlternateLookup<ReadOnlySpan<char>> Names => _names.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The number of the person with this pseudonym; -1 for someone never registered.</summary>
    public int IdOf(string pseudonym) => _ids.GetValueOrDefault(pseudonym, -1);

    /// <summary>The pseudonym of the person with this number; null for -1, someone never registered.</summary>
    public string? PseudonymOf(int id) => id >= 0 ? _pseudonyms[id] : null;

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

        if (!_ids.TryGetValue(pseudonym, out var id))
        {
            _ids.Add(pseudonym, id = _ids.Count);
            _pseudonyms.Add(pseudonym);
        }

        var normalized = Pseudonyms.Normalize(name);
        if (normalized.Length < MinimumNameLength)
        {
            return;
        }

        if (_names.TryGetValue(normalized, out var known))
        {
            // A set, not a list: on the 200,000-incident set a common first name is shared by hundreds of people,
            // and every mention of it in every text asks whether one of the row's people is among them.
            if (known.SharedBy is { } sharedBy)
            {
                sharedBy.Add(id);
            }
            else if (pseudonym != known.Pseudonym)
            {
                _names[normalized] = known with { SharedBy = [_ids[known.Pseudonym], id] };
            }
        }
        else
        {
            _names.Add(normalized, new KnownName(pseudonym, SharedBy: null));
            var words = normalized.Split(' ');
            Set(_firstWords, NameComparer.WordHash(words[0]), FirstWordBits);
            if (NameComparer.AsciiRunHash(words[0]) is { } run)
            {
                var bit = RunBit(run);
                _firstRuns[bit >> 6] |= 1UL << bit;
            }

            Set(_wholeNames, NameComparer.WordHash(normalized), WholeNameBits);
            MaxWords = Math.Max(MaxWords, words.Length);
            MaxLength = Math.Max(MaxLength, normalized.Length);
        }
    }
}

/// <summary>
/// A registered name: the pseudonym of the first person with it, and, when others share it, all their
/// numbers (<see cref="KnownPeople.IdOf"/>; filled while the people are registered, only read once the export reads rows).
/// </summary>
internal readonly record struct KnownName(string Pseudonym, HashSet<int>? SharedBy);

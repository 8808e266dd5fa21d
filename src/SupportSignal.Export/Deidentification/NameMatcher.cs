using System.Buffers;
using System.Text;

namespace SupportSignal.Export.Deidentification;

/// <summary>
/// Finds every known person's name in UTF-8 prose (full, given or family; whole words, any case,
/// a possessive or hyphenated ending allowed) and replaces it with that person's pseudonym. One
/// pass over the bytes; a word no name can start is passed over on its hash alone. One instance
/// serves one export on one thread. Without <c>quickSkip</c> every word is read letter by letter: the
/// reference the quick path is tested against (NameMatcherTests).
/// </summary>
internal sealed class NameMatcher(KnownPeople people, bool quickSkip = true)
{
    private const byte Other = 0;
    private const byte Letter = 1;
    private const byte Joiner = 2;
    private const byte NonAscii = 3;

    // What each byte is to the word scanner: ASCII letters, the apostrophe and hyphen that may
    // join a name's parts, and the bytes of non-ASCII characters (decoded where they occur).
    private static readonly byte[] ByteKinds = CreateByteKinds();

    private readonly Dictionary<string, KnownName>.AlternateLookup<ReadOnlySpan<char>> _names = people.Names;
    private readonly int _maxWords = Math.Clamp(people.MaxWords, 1, 16);
    private readonly int _maxBytes = people.MaxLength * 3;
    private readonly KnownPeople _people = people;
    private char[] _chars = new char[256];

    // Writes the text with every known name replaced into output; false (output untouched) when none occurs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool ReplaceNames(ReadOnlySpan<byte> text, NameContext? context, ArrayBufferWriter<byte> output)
    {
        // Where a name starting at the current word could end, and the hash of its text up to there.
        var candidates = new Candidates(stackalloc int[MaxCandidates], stackalloc uint[MaxCandidates]);
        var kinds = ByteKinds;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            var kind = kinds[text[i]];
            if (kind is Other or Joiner)
            {
                i++;
                continue;
            }

            if (kind == Letter && quickSkip && CannotStartName(text, i, out var next))
            {
                i = next;
                continue;
            }

            if (kind == NonAscii && !StartsNameRune(text, i, out var skip))
            {
                i += skip;
                continue;
            }

            // One pass over the word; a name can only start here if its hash (or the hash of a part
            // ending at an apostrophe or hyphen) is a registered first word's.
            var start = i;
            var hash = NameComparer.StartHash;
            candidates.Clear();
            i = ScanWord(text, start, ref hash, ref candidates);
            if (!_people.MayStartName(hash) && !candidates.MayStartName(_people))
            {
                continue;
            }

            candidates.Add(i, hash);
            if (Match(text, start, i, hash, ref candidates, context) is ({ } pseudonym, var end))
            {
                output.Write(text[copied..start]);
                var written = Encoding.UTF8.GetBytes(pseudonym, output.GetSpan(Encoding.UTF8.GetMaxByteCount(pseudonym.Length)));
                output.Advance(written);
                copied = i = end;
            }
        }

        if (copied == 0)
        {
            return false;
        }

        output.Write(text[copied..]);
        return true;
    }

    // True when the word at i is plain ASCII letters that no registered name starts with, read eight bytes at a
    // time (most words of prose); next is where it ends. False sends the word down the letter-by-letter path: a
    // possible name, a word running on past an apostrophe, a hyphen or a letter beyond ASCII, or the end of the text.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool CannotStartName(ReadOnlySpan<byte> text, int i, out int next)
    {
        if (!NameComparer.TryScanAsciiRun(text, i, out next, out var hash) || _people.MayStartWithRun(hash))
        {
            return false;
        }

        // The scan read at least eight bytes from i, so the run's end and the byte after it are inside the text.
        var after = text[next];
        return after < 0x80 && (ByteKinds[after] != Joiner || !IsNameStart(text, next + 1));
    }

    // The longest known name starting at a word already scanned into the candidates: the following
    // words join it, up to the most words a name has, and each word may also end early at an
    // apostrophe or hyphen ("Zoë's", "Nguyễn-led"). Only candidates whose hash a name has are looked up.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private (string? Pseudonym, int End) Match(ReadOnlySpan<byte> text, int start, int wordEnd, uint hash, ref Candidates candidates, NameContext? context)
    {
        var i = wordEnd;
        for (var words = 1; words < _maxWords && i + 1 < text.Length && text[i] == ' ' && IsNameStart(text, i + 1); words++)
        {
            hash = NameComparer.Mix(hash, ' ');
            i = ScanWord(text, i + 1, ref hash, ref candidates);
            candidates.Add(i, hash);
        }

        for (var k = candidates.Count - 1; k >= 0; k--)
        {
            var (end, candidateHash) = candidates[k];
            if (_people.MayBeName(candidateHash) && Lookup(text[start..end], candidateHash, context) is { } found)
            {
                return (found, end);
            }
        }

        return (null, wordEnd);
    }

    // Scans one word from i, mixing its characters into the hash; each point where it could end early
    // (before an apostrophe or hyphen that a letter follows) becomes a candidate. Returns its end.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int ScanWord(ReadOnlySpan<byte> text, int i, ref uint hash, ref Candidates candidates)
    {
        var h = hash;
        while (true)
        {
            // Most of every word: ASCII letters, folded to upper case as they are mixed in.
            byte b = 0;
            while (i < text.Length && (uint)(((b = text[i]) | 0x20) - 'a') <= 'z' - 'a')
            {
                h = NameComparer.Mix(h, b & 0xDF);
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            var kind = ByteKinds[b];
            var length = 1;
            var joiner = kind == Joiner;
            if (kind == NonAscii && Rune.DecodeFromUtf8(text[i..], out var rune, out length) == OperationStatus.Done)
            {
                if (NameComparer.IsNameRune(rune))
                {
                    h = NameComparer.Mix(h, NameComparer.Fold(rune.Value));
                    i += length;
                    continue;
                }

                joiner = rune.Value == '’';
            }

            if (!joiner || !IsNameStart(text, i + length))
            {
                break;
            }

            candidates.Add(i, h);
            h = NameComparer.Mix(h, length == 1 ? b : '’');
            i += length;
        }

        hash = h;
        return i;
    }

    private const int MaxCandidates = 32;

    /// <summary>Where a name could end, in text order, with the hash of the text up to each end.</summary>
    private ref struct Candidates(Span<int> ends, Span<uint> hashes)
    {
        private readonly Span<int> _ends = ends;
        private readonly Span<uint> _hashes = hashes;

        public int Count { get; private set; }

        public readonly (int End, uint Hash) this[int k] => (_ends[k], _hashes[k]);

        public void Clear() => Count = 0;

        // Past the most any name could need, later ends are not kept.
        public void Add(int end, uint hash)
        {
            if (Count < _ends.Length)
            {
                _ends[Count] = end;
                _hashes[Count] = hash;
                Count++;
            }
        }

        public readonly bool MayStartName(KnownPeople people)
        {
            for (var k = 0; k < Count; k++)
            {
                if (people.MayStartName(_hashes[k]))
                {
                    return true;
                }
            }

            return false;
        }
    }

    // The last candidates looked up, by hash: prose names the same few people over and over, so most lookups
    // are a comparison of bytes here rather than a decode and a dictionary lookup.
    private readonly Looked?[] _looked = new Looked?[LookedSlots];
    private const int LookedSlots = 4096;

    private sealed record Looked(byte[] Text, KnownName? Known);

    private string? Lookup(ReadOnlySpan<byte> candidate, uint hash, NameContext? context)
    {
        ref var looked = ref _looked[hash & (LookedSlots - 1)];
        if (looked is null || !candidate.SequenceEqual(looked.Text))
        {
            looked = new Looked(candidate.ToArray(), Find(candidate));
        }

        if (looked.Known is not { } known)
        {
            return null;
        }

        // Only a name several people share needs the row's own people to say whom it means.
        return known.SharedBy is { } sharedBy && context?.Choose(sharedBy) is { } own ? own : known.Pseudonym;
    }

    private KnownName? Find(ReadOnlySpan<byte> candidate)
    {
        if (candidate.Length > _maxBytes)
        {
            return null;
        }

        if (_chars.Length < candidate.Length)
        {
            _chars = new char[candidate.Length * 2];
        }

        var name = _chars.AsSpan(0, Encoding.UTF8.GetChars(candidate, _chars));
        return _names.TryGetValue(name, out var known) ? known : null;
    }

    private static bool IsNameStart(ReadOnlySpan<byte> text, int i) =>
        i < text.Length && ByteKinds[text[i]] switch
        {
            Letter => true,
            NonAscii => StartsNameRune(text, i, out _),
            _ => false,
        };

    // A non-ASCII character that is a letter or accent; else how many bytes to step over.
    private static bool StartsNameRune(ReadOnlySpan<byte> text, int i, out int length)
    {
        var status = Rune.DecodeFromUtf8(text[i..], out var rune, out length);
        length = Math.Max(length, 1);
        return status == OperationStatus.Done && NameComparer.IsNameRune(rune);
    }

    private static byte[] CreateByteKinds()
    {
        var kinds = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            kinds[b] = b switch
            {
                >= 'A' and <= 'Z' or >= 'a' and <= 'z' => Letter,
                '\'' or '-' => Joiner,
                >= 128 => NonAscii,
                _ => Other,
            };
        }

        return kinds;
    }
}

using System.Globalization;
using System.Text;

namespace SupportSignal.Export.Deidentification;

/// <summary>
/// When two spellings are the same name: equal after upper-casing each character with the
/// invariant culture. One definition serves the name dictionary, a row's own people and the
/// scrubber's first-word filter, so the filter can never turn away a name the dictionary holds.
/// </summary>
internal sealed class NameComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
{
    public static readonly NameComparer Instance = new();

    private const uint Seed = 2166136261;

    private NameComparer()
    {
    }

    /// <summary>The case-folded form of one code point: upper-case for the Basic Multilingual Plane, itself beyond it.</summary>
    public static int Fold(int codePoint) => codePoint switch
    {
        >= 'a' and <= 'z' => codePoint - 32,
        < 128 => codePoint,
        <= char.MaxValue => FoldBmp((char)codePoint),
        _ => codePoint,
    };

    // char.ToUpperInvariant asks ICU for every non-ASCII character, which costs more than the rest
    // of the scan; each character's answer is kept (0 until first asked; no letter folds to 0).
    // Threads racing to fill a slot write the same value.
    private static readonly char[] UpperBmp = new char[char.MaxValue + 1];

    private static char FoldBmp(char c)
    {
        var folded = UpperBmp[c];
        if (folded == 0)
        {
            UpperBmp[c] = folded = char.ToUpperInvariant(c);
        }

        return folded;
    }

    /// <summary>Adds one folded code point to a running hash: cheap per character; the filters mix the result well.</summary>
    public static uint Mix(uint hash, int folded) => System.Numerics.BitOperations.RotateLeft(hash, 5) ^ (uint)folded;

    public static uint StartHash => Seed;

    /// <summary>The hash the scrubber computes for the same word as it reads UTF-8.</summary>
    public static uint WordHash(ReadOnlySpan<char> word)
    {
        var hash = Seed;
        foreach (var rune in word.EnumerateRunes())
        {
            hash = Mix(hash, Fold(rune.Value));
        }

        return hash;
    }

    /// <summary>
    /// The run of ASCII letters from <paramref name="start"/>, read eight bytes at a time: where it ends, and a hash
    /// of it upper-cased (the scrubber's quick test of a word, before it is read letter by letter). False, with
    /// nothing measured, when fewer than eight bytes are left to read at some point of the run.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool TryScanAsciiRun(ReadOnlySpan<byte> text, int start, out int end, out ulong hash)
    {
        const ulong High = 0x8080808080808080;
        const ulong Ones = 0x0101010101010101;
        ref var first = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(text);
        var h = 0UL;
        for (var p = start; p <= text.Length - sizeof(ulong); p += sizeof(ulong))
        {
            var v = System.Runtime.CompilerServices.Unsafe.ReadUnaligned<ulong>(ref System.Runtime.CompilerServices.Unsafe.Add(ref first, p));

            // Per byte, without carries between bytes: lower-cased and without its high bit, a letter is 'a' to 'z'.
            var lower = (v | (Ones * 0x20)) & ~High;
            var letters = (lower + (Ones * (0x80 - 'a'))) & ~(lower + (Ones * (0x80 - 'z' - 1))) & ~v & High;
            var others = ~letters & High;
            var upper = v & (Ones * 0xDF);
            if (others != 0)
            {
                var count = System.Numerics.BitOperations.TrailingZeroCount(others) >> 3;
                hash = (h + (upper & ((1UL << (count * 8)) - 1))) * RunMultiplier;
                end = p + count;
                return true;
            }

            h = (h + upper) * RunMultiplier;
        }

        end = 0;
        hash = 0;
        return false;
    }

    private const ulong RunMultiplier = 0x9E3779B97F4A7C15;

    /// <summary>
    /// The <see cref="TryScanAsciiRun"/> hash of the ASCII letters a word of text that is this name starts with:
    /// its upper-cased characters up to the first that is not A to Z; null when it starts with none.
    /// </summary>
    public static ulong? AsciiRunHash(ReadOnlySpan<char> word)
    {
        var run = new List<byte>();
        foreach (var rune in word.EnumerateRunes())
        {
            var folded = Fold(rune.Value);
            if (folded is < 'A' or > 'Z')
            {
                break;
            }

            run.Add((byte)folded);
        }

        if (run.Count == 0)
        {
            return null;
        }

        // Scanned the way text is, so the two can never disagree: the run, then a byte that ends it and room to read.
        var padded = new byte[run.Count + (2 * sizeof(ulong))];
        run.CopyTo(padded);
        padded[run.Count] = (byte)' ';
        TryScanAsciiRun(padded, 0, out _, out var hash);
        return hash;
    }

    /// <summary>Letters and the marks that accent them: what a name is made of.</summary>
    public static bool IsNameRune(Rune rune) =>
        Rune.IsLetter(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark;

    public static bool Same(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
    {
        if (x.Length != y.Length)
        {
            return false;
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (x[i] != y[i] && Fold(x[i]) != Fold(y[i]))
            {
                return false;
            }
        }

        return true;
    }

    public bool Equals(string? x, string? y) => x is null || y is null ? ReferenceEquals(x, y) : Same(x, y);

    public int GetHashCode(string obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<char> alternate, string other) => Same(alternate, other);

    public int GetHashCode(ReadOnlySpan<char> alternate)
    {
        var hash = Seed;
        foreach (var c in alternate)
        {
            hash = (hash ^ (uint)Fold(c)) * 16777619;
        }

        return (int)hash;
    }

    public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();
}

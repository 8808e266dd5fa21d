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

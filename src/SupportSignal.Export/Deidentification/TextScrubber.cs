using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SupportSignal.Export.Deidentification;

/// <summary>
/// Removes people from prose: every known person's name (full, given or family; whole words,
/// any case) becomes that person's pseudonym, and e-mail addresses, phone numbers and NDIS
/// numbers become placeholders. JSON text is scrubbed inside its string values and stays JSON.
/// </summary>
/// <summary>
/// The people a row is about (its participant, its reporter): where a given name is shared by
/// several people, the row's own person is meant, so the row's names are looked up first.
/// </summary>
internal sealed class NameContext((string Name, string Pseudonym)[] entries)
{
    public string? Find(ReadOnlySpan<char> name)
    {
        foreach (var (entry, pseudonym) in entries)
        {
            if (name.Equals(entry, StringComparison.OrdinalIgnoreCase))
            {
                return pseudonym;
            }
        }

        return null;
    }
}

internal sealed partial class TextScrubber(KnownPeople people)
{
    public const string EmailPlaceholder = "[email]";
    public const string PhonePlaceholder = "[phone]";
    public const string NdisPlaceholder = "[ndis number]";

    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _names = people.Names;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _firstWords = people.FirstWords;
    private readonly int _maxWords = people.MaxWords;
    private readonly KnownPeople _people = people;

    // Reused for every name found; one export scrubs on one thread.
    private readonly List<int> _candidates = new(8);
    private readonly List<int> _wordStarts = new(4);

    public string Scrub(string text, NameContext? context = null)
    {
        var named = ReplaceNames(text, context);
        return HasDigitOrAt(named) ? ReplaceContactDetails(named) : named;
    }

    /// <summary>Writes the scrubbed value: embedded JSON when the text is one JSON value, else a scrubbed string.</summary>
    public void WriteScrubbedJson(Utf8JsonWriter writer, string text, NameContext? context = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(Scrub(text, context));
            return;
        }

        using (document)
        {
            WriteElement(writer, document.RootElement, context);
        }
    }

    private void WriteElement(Utf8JsonWriter writer, JsonElement element, NameContext? context)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteElement(writer, property.Value, context);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteElement(writer, item, context);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(Scrub(element.GetString()!, context));
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private string ReplaceNames(string text, NameContext? context)
    {
        StringBuilder? result = null;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (!IsNameChar(text[i]))
            {
                // Jump (vectorized) to the next ASCII letter or non-ASCII character.
                var skip = text.AsSpan(i + 1).IndexOfAnyExcept(AsciiNonLetters);
                i = skip < 0 ? text.Length : i + 1 + skip;
                continue;
            }

            var end = WordEnd(text, i);
            if (!StartsAName(text, i, end))
            {
                i = end;
                continue;
            }

            // Longest name first ("Zoë Nguyễn" before "Zoë"); each word may also end early at an
            // apostrophe or hyphen ("Zoë's", "Nguyễn-led").
            var candidates = _candidates;
            var wordStarts = _wordStarts;
            candidates.Clear();
            wordStarts.Clear();
            wordStarts.Add(i);
            var next = end;
            while (wordStarts.Count < _maxWords && next + 1 < text.Length && text[next] == ' ' && IsNameChar(text[next + 1]))
            {
                wordStarts.Add(next + 1);
                next = WordEnd(text, next + 1);
            }

            for (var k = wordStarts.Count - 1; k >= 0; k--)
            {
                var wordEnd = k == wordStarts.Count - 1 ? next : wordStarts[k + 1] - 1;
                AddCuts(text, wordStarts[k], wordEnd, candidates);
            }

            var matched = false;
            foreach (var candidate in candidates)
            {
                var span = text.AsSpan(i, candidate - i);
                if (context?.Find(span) is { } pseudonym || _names.TryGetValue(span, out pseudonym))
                {
                    result ??= new StringBuilder(text.Length + 32);
                    result.Append(text, copied, i - copied).Append(pseudonym);
                    copied = i = candidate;
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                i = end;
            }
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    // Runs for every word of every free-text value, so it allocates nothing.
    private bool StartsAName(string text, int start, int end)
    {
        var word = text.AsSpan(start, end - start);
        if (_people.MayStartName(word) && _firstWords.Contains(word))
        {
            return true;
        }

        if (!word.ContainsAny(NameJoiners))
        {
            return false;
        }

        for (var j = end - 1; j > start; j--)
        {
            if (text[j] is '\'' or '’' or '-' && _people.MayStartName(text.AsSpan(start, j - start)) && _firstWords.Contains(text.AsSpan(start, j - start)))
            {
                return true;
            }
        }

        return false;
    }

    // The word's end, then each earlier point where it could end: before an apostrophe or hyphen.
    private static void AddCuts(string text, int start, int end, List<int> cuts)
    {
        cuts.Add(end);
        for (var j = end - 1; j > start; j--)
        {
            if (text[j] is '\'' or '’' or '-')
            {
                cuts.Add(j);
            }
        }
    }

    private static string ReplaceContactDetails(string text)
    {
        text = EmailPattern().Replace(text, EmailPlaceholder);
        text = NdisPattern().Replace(text, NdisPlaceholder);
        return PhonePattern().Replace(text, PhonePlaceholder);
    }

    // The patterns need an '@' or at least nine digits; most prose has neither, so skip the regexes.
    private static bool HasDigitOrAt(string text)
    {
        var span = text.AsSpan();
        if (span.Contains('@'))
        {
            return true;
        }

        var digits = 0;
        for (var at = span.IndexOfAny(Digits); at >= 0; at = span.IndexOfAny(Digits))
        {
            if (++digits >= 9)
            {
                return true;
            }

            span = span[(at + 1)..];
        }

        return false;
    }

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");

    // Letters, marks (for names written with combining accents), and apostrophes or hyphens inside a name.
    private static bool IsNameChar(char c) =>
        c < 128 ? (uint)((c | 0x20) - 'a') <= 'z' - 'a' : char.IsLetter(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark;

    private static readonly System.Buffers.SearchValues<char> AsciiLetters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly System.Buffers.SearchValues<char> AsciiNonLetters =
        System.Buffers.SearchValues.Create(Enumerable.Range(0, 128).Select(c => (char)c).Where(c => !char.IsAsciiLetter(c)).ToArray());

    private static readonly System.Buffers.SearchValues<char> NameJoiners = System.Buffers.SearchValues.Create("'’-");

    private static int WordEnd(string text, int start)
    {
        var i = start;
        while (i < text.Length)
        {
            // Runs of ASCII letters are skipped vectorized; other characters are looked at one by one.
            var run = text.AsSpan(i).IndexOfAnyExcept(AsciiLetters);
            if (run < 0)
            {
                return text.Length;
            }

            i += run;
            if (i >= text.Length)
            {
                break;
            }

            if (IsNameChar(text[i]))
            {
                i++;
            }
            else if (text[i] is '\'' or '’' or '-' && i + 1 < text.Length && IsNameChar(text[i + 1]))
            {
                i += 2;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailPattern();

    // NDIS numbers are nine digits starting 43.
    [GeneratedRegex(@"(?<!\d)43\d{7}(?!\d)")]
    private static partial Regex NdisPattern();

    // Australian mobile and landline numbers, with or without +61, spaces or hyphens.
    [GeneratedRegex(@"(?<![\d+])(?:\+61[ -]?|0)[2-478](?:[ -]?\d){8}(?!\d)")]
    private static partial Regex PhonePattern();
}

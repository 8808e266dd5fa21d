using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SupportSignal.Export.Deidentification;

/// <summary>
/// The people a row is about (its participant, its reporter), by pseudonym, in the row's order:
/// where a name is shared by several people, the row's own person is meant.
/// </summary>
internal sealed class NameContext(string[] pseudonyms)
{
    /// <summary>The first of the row's people among those who share a name, or null when none of them does.</summary>
    public string? Choose(string[] sharedBy)
    {
        foreach (var pseudonym in pseudonyms)
        {
            if (sharedBy.Contains(pseudonym))
            {
                return pseudonym;
            }
        }

        return null;
    }
}

/// <summary>
/// Removes people from prose: every known person's name (full, given or family; whole words,
/// any case) becomes that person's pseudonym, and e-mail addresses, phone numbers and NDIS
/// numbers become placeholders. JSON text is scrubbed inside its strings and stays JSON.
/// Works on UTF-8 as the database hands it over: a value with nothing to remove is written as
/// it came, and nothing is allocated per value. One instance serves one export on one thread.
/// </summary>
internal sealed partial class TextScrubber(KnownPeople people)
{
    public const string EmailPlaceholder = "[email]";
    public const string PhonePlaceholder = "[phone]";
    public const string NdisPlaceholder = "[ndis number]";

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

    // Reused for every value.
    private readonly ArrayBufferWriter<byte> _named = new(4096);
    private readonly ArrayBufferWriter<byte> _scrubbed = new(4096);
    private readonly ArrayBufferWriter<byte> _json = new(4096);
    private char[] _chars = new char[256];

    /// <summary>The scrubbed text: <paramref name="utf8"/> itself when nothing was found, else a buffer valid until the next call.</summary>
    public ReadOnlySpan<byte> Scrub(ReadOnlySpan<byte> utf8, NameContext? context = null)
    {
        // Contact details first, so a name inside an e-mail address goes with the address.
        var text = utf8;
        if (MayHoldContactDetails(utf8))
        {
            var value = Encoding.UTF8.GetString(utf8);
            var replaced = ReplaceContactDetails(value);
            if (!ReferenceEquals(replaced, value))
            {
                _scrubbed.ResetWrittenCount();
                _scrubbed.Advance(Encoding.UTF8.GetBytes(replaced, _scrubbed.GetSpan(Encoding.UTF8.GetMaxByteCount(replaced.Length))));
                text = _scrubbed.WrittenSpan;
            }
        }

        _named.ResetWrittenCount();
        return ReplaceNames(text, context, _named) ? _named.WrittenSpan : text;
    }

    /// <summary>Writes the value as a scrubbed JSON string.</summary>
    public void WriteScrubbed(Utf8JsonWriter writer, ReadOnlySpan<byte> utf8, NameContext? context = null) =>
        Writing.JsonValues.WriteText(writer, Scrub(utf8, context));

    /// <summary>
    /// Writes a JSON text column: embedded JSON, with every string value scrubbed, when the text is
    /// one JSON value; else a scrubbed JSON string, as a normal export would. Property names stay
    /// as they are: they are the structure ("max_questions" is not about Max).
    /// </summary>
    public void WriteScrubbedJson(Utf8JsonWriter writer, ReadOnlySpan<byte> utf8, NameContext? context = null)
    {
        if (utf8.IsEmpty || !TryScrubJson(utf8, context, out var changed))
        {
            WriteScrubbed(writer, utf8, context);
            return;
        }

        writer.WriteRawValue(changed ? _json.WrittenSpan : utf8, skipInputValidation: true);
    }

    // Copies the JSON into _json with each changed string value replaced; false when it is not exactly one JSON value.
    private bool TryScrubJson(ReadOnlySpan<byte> utf8, NameContext? context, out bool changed)
    {
        _json.ResetWrittenCount();
        changed = false;
        var copied = 0;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
            // The reader throws on anything after the first value, so reading to the end proves there is one.
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    continue;
                }

                var start = checked((int)reader.TokenStartIndex + 1);
                var raw = reader.ValueSpan;
                ReadOnlySpan<byte> scrubbed;
                if (!reader.ValueIsEscaped)
                {
                    scrubbed = Scrub(raw, context);
                    if (scrubbed == raw)
                    {
                        continue;
                    }
                }
                else
                {
                    var unescaped = ArrayPool<byte>.Shared.Rent(raw.Length);
                    try
                    {
                        var value = unescaped.AsSpan(0, reader.CopyString(unescaped));
                        var result = Scrub(value, context);
                        if (result == value)
                        {
                            continue;
                        }

                        scrubbed = JsonEncodedText.Encode(result, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(unescaped);
                    }
                }

                _json.Write(utf8[copied..start]);
                _json.Write(scrubbed);
                copied = start + raw.Length;
                changed = true;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (changed)
        {
            _json.Write(utf8[copied..]);
        }

        return true;
    }

    // Writes the text with every known name replaced into output; false (output untouched) when none occurs.
    private bool ReplaceNames(ReadOnlySpan<byte> text, NameContext? context, ArrayBufferWriter<byte> output)
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

    // The longest known name starting at a word already scanned into the candidates: the following
    // words join it, up to the most words a name has, and each word may also end early at an
    // apostrophe or hyphen ("Zoë's", "Nguyễn-led"). Only candidates whose hash a name has are looked up.
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
            if (_people.MayBeName(candidateHash) && Lookup(text[start..end], context) is { } found)
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

    private string? Lookup(ReadOnlySpan<byte> candidate, NameContext? context)
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
        if (!_names.TryGetValue(name, out var known))
        {
            return null;
        }

        // Only a name several people share needs the row's own people to say whom it means.
        return known.SharedBy is { } sharedBy && context?.Choose(sharedBy) is { } own ? own : known.Pseudonym;
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

    private static string ReplaceContactDetails(string text)
    {
        var result = EmailPattern().Replace(text, EmailPlaceholder);
        result = NdisPattern().Replace(result, NdisPlaceholder);
        return PhonePattern().Replace(result, PhonePlaceholder);
    }

    // Every pattern needs an '@' or a run of at least nine digits, at most one space or hyphen
    // apart. Most prose has neither, so the regexes (which need a .NET string) rarely run.
    private static bool MayHoldContactDetails(ReadOnlySpan<byte> text)
    {
        if (text.Contains((byte)'@'))
        {
            return true;
        }

        var at = text.IndexOfAnyInRange((byte)'0', (byte)'9');
        while (at >= 0)
        {
            var digits = 0;
            var i = at;
            while (i < text.Length)
            {
                if (char.IsAsciiDigit((char)text[i]))
                {
                    digits++;
                    i++;
                }
                else if (text[i] is (byte)' ' or (byte)'-' && i + 1 < text.Length && char.IsAsciiDigit((char)text[i + 1]))
                {
                    i++;
                }
                else
                {
                    break;
                }
            }

            if (digits >= 9)
            {
                return true;
            }

            var next = text[i..].IndexOfAnyInRange((byte)'0', (byte)'9');
            at = next < 0 ? -1 : i + next;
        }

        return false;
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

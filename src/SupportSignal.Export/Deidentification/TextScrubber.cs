using System.Buffers;
using System.Text;
using System.Text.Json;

namespace SupportSignal.Export.Deidentification;

/// <summary>
/// The people a row is about (its participant, its reporter), by their numbers (<see cref="KnownPeople.IdOf"/>)
/// and pseudonyms, in the row's order: where a name is shared by several people, the row's own person is meant.
/// </summary>
internal sealed class NameContext
{
    private readonly string?[] _pseudonyms;
    private readonly int[] _ids;

    public NameContext(ReadOnlySpan<int> ids, KnownPeople people)
    {
        _ids = ids.ToArray();
        _pseudonyms = Array.ConvertAll(_ids, people.PseudonymOf);
    }

    /// <summary>The first of the row's people among those who share a name, or null when none of them does.</summary>
    public string? Choose(HashSet<int> sharedBy)
    {
        for (var i = 0; i < _ids.Length; i++)
        {
            if (sharedBy.Contains(_ids[i]))
            {
                return _pseudonyms[i];
            }
        }

        return null;
    }
}

/// <summary>
/// Removes people from prose: every known person's name becomes that person's pseudonym
/// (<see cref="NameMatcher"/>), and e-mail addresses, phone numbers and NDIS numbers become
/// placeholders (<see cref="ContactDetails"/>). JSON text is scrubbed inside its strings and stays
/// JSON (<see cref="JsonStrings"/>). Works on UTF-8 as the database hands it over: a value with
/// nothing to remove is written as it came, and nothing is allocated per value. One instance
/// serves one export on one thread.
/// </summary>
internal sealed class TextScrubber(KnownPeople people)
{
    private readonly NameMatcher _names = new(people);

    // Reused for every value.
    private readonly ArrayBufferWriter<byte> _named = new(4096);
    private readonly ArrayBufferWriter<byte> _scrubbed = new(4096);
    private readonly ArrayBufferWriter<byte> _json = new(4096);

    /// <summary>The scrubbed text: <paramref name="utf8"/> itself when nothing was found, else a buffer valid until the next call.</summary>
    public ReadOnlySpan<byte> Scrub(ReadOnlySpan<byte> utf8, NameContext? context = null)
    {
        // Contact details first, so a name inside an e-mail address goes with the address.
        var text = utf8;
        if (ContactDetails.MayOccurIn(utf8))
        {
            var value = Encoding.UTF8.GetString(utf8);
            var replaced = ContactDetails.Replace(value);
            if (!ReferenceEquals(replaced, value))
            {
                _scrubbed.ResetWrittenCount();
                _scrubbed.Advance(Encoding.UTF8.GetBytes(replaced, _scrubbed.GetSpan(Encoding.UTF8.GetMaxByteCount(replaced.Length))));
                text = _scrubbed.WrittenSpan;
            }
        }

        _named.ResetWrittenCount();
        return _names.ReplaceNames(text, context, _named) ? _named.WrittenSpan : text;
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
        if (utf8.IsEmpty || !JsonStrings.TryScrub(utf8, this, context, _json, out var changed))
        {
            WriteScrubbed(writer, utf8, context);
            return;
        }

        writer.WriteRawValue(changed ? _json.WrittenSpan : utf8, skipInputValidation: true);
    }
}

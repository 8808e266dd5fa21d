using System.Text;
using System.Text.Json;

using SupportSignal.Export.Writing;

namespace SupportSignal.UnitTests.Export;

/// <summary>
/// Strings that need no escaping skip the writer's escaping scan (<see cref="JsonValues.NeedsNoEscaping"/>):
/// every one of them must come out exactly as the writer itself would write it, and every other one
/// must still go through the writer.
/// </summary>
public sealed class JsonValuesTests
{
    [Fact]
    public void Every_byte_in_every_position_is_written_as_the_json_writer_writes_it()
    {
        // Lengths around the 16-byte vector width, the odd byte at the start, the middle, the end.
        for (var value = 0; value < 128; value++)
        {
            foreach (var length in new[] { 1, 15, 16, 17, 31, 32, 33, 47, 300 })
            {
                foreach (var at in new[] { 0, length / 2, length - 1 })
                {
                    var text = Enumerable.Repeat((byte)'a', length).ToArray();
                    text[at] = (byte)value;
                    Assert.Equal(WrittenByTheWriter(text), WrittenByJsonValues(text));
                    Assert.Equal(value is >= 0x20 and < 0x7F and not '"' and not '\\', JsonValues.NeedsNoEscaping(text));
                }
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain words, digits 0123456789 and ~!@#$%^&*()_+`-={}|[]:;'<>?,./")]
    [InlineData("Müller's café, 東京, 🙂 and a \u2028 line separator")]
    [InlineData("a \"quoted\" word, a back\\slash, a tab\tand a new\nline")]
    [InlineData("<script>alert('x')</script> & friends")]
    [InlineData("café\nNgứa, Łódź\t\"quoted\" and \u007F")]
    [InlineData("a next line \u0085 and a byte-order mark \uFEFF")]
    public void Text_comes_out_as_the_json_writer_writes_it(string value)
    {
        var text = Encoding.UTF8.GetBytes(value);
        Assert.Equal(WrittenByTheWriter(text), WrittenByJsonValues(text));
    }

    // Random text from ASCII, its escapes, letters beyond ASCII the encoder keeps, characters it escapes
    // (U+2028, U+0085, U+FEFF, an emoji), and bytes that are not UTF-8 at all.
    [Fact]
    public void Random_text_comes_out_as_the_json_writer_writes_it()
    {
        string[] pieces = ["plain", " ", "\n", "\r\n", "\t", "\"", "\\", "\u0001", "\u007F", "/", "é", "ā", "Ł", "ứ", "東京", "\u2028", "\u0085", "\uFEFF", "🙂", "\u200D", "x"];
        var random = new Random(20261206);
        for (var i = 0; i < 3000; i++)
        {
            var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => pieces[random.Next(pieces.Length)])));
            if (i % 10 == 0 && text.Length > 0)
            {
                text[random.Next(text.Length)] = 0xC3; // a lead byte out of place: not UTF-8
            }

            Assert.Equal(WrittenByTheWriterOrDecoded(text), WrittenByJsonValues(text));
        }
    }

    [Fact]
    public void Canonical_timestamps_dates_and_guids_come_out_as_the_json_writer_writes_them()
    {
        Assert.Equal(Strings("2026-03-01T09:30:00.25Z"), Written(w => JsonValues.WriteDateTimeText(w, "2026-03-01 09:30:00.25"u8)));
        Assert.Equal(Strings("2026-03-01T09:30:00Z"), Written(w => JsonValues.WriteDateTimeText(w, "2026-03-01 09:30:00"u8)));
        Assert.Equal(Strings("2026-03-01T09:30:00.1234567Z"), Written(w => JsonValues.WriteDateTime(w, new DateTime(2026, 3, 1, 9, 30, 0, DateTimeKind.Utc).AddTicks(1234567))));
        Assert.Equal(Strings("2026-03-01"), Written(w => JsonValues.WriteDate(w, new DateOnly(2026, 3, 1))));
        Assert.Equal(Strings("018cc251-f998-7aac-ae12-23d6f98b5a34"), Written(w => JsonValues.WriteGuidText(w, "018CC251-F998-7AAC-AE12-23D6F98B5A34"u8)));
        // Thirty-six bytes that are not a GUID still come out escaped.
        Assert.Equal(Strings("018cc251-f998-7aac-ae12-23d6f98b5a3\""), Written(w => JsonValues.WriteGuidText(w, "018CC251-F998-7AAC-AE12-23D6F98B5A3\""u8)));
        Assert.Equal(Strings("not a guid but thirty-six bytes\n 123"), Written(w => JsonValues.WriteGuidText(w, "NOT A GUID BUT THIRTY-SIX BYTES\n 123"u8)));
    }

    private static string Strings(string value) => Written(w => w.WriteStringValue(value));

    private static string WrittenByTheWriter(byte[] text) => Written(w => w.WriteStringValue(text));

    // What the export wrote before the fast paths: the writer's own escaping, and for text that is not UTF-8 and that the
    // writer refuses, the text decoded with replacement characters.
    private static string WrittenByTheWriterOrDecoded(byte[] text) => Written(w =>
    {
        try
        {
            w.WriteStringValue(text);
        }
        catch (ArgumentException)
        {
            w.WriteStringValue(Encoding.UTF8.GetString(text));
        }
    });

    private static string WrittenByJsonValues(byte[] text) => Written(w => JsonValues.WriteText(w, text));

    // Two values in an array, so the separators the writer adds around a raw value are checked too.
    private static string Written(Action<Utf8JsonWriter> write)
    {
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, ExportWriter.WriterOptions))
        {
            writer.WriteStartArray();
            write(writer);
            write(writer);
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }
}

using System.Buffers;
using System.Text;
using System.Text.Json;

using SupportSignal.Export.Deidentification;

namespace SupportSignal.UnitTests.Export;

/// <summary>The scrubber on the prose a real narrative holds, byte for byte as SQLite hands it over.</summary>
public sealed class TextScrubberTests
{
    private const string Zoe = "Participant 0A0A0A";
    private const string Sam = "Participant 5A5A5A";
    private const string SamUser = "User 5B5B5B";
    private const string Max = "Participant 3C3C3C";
    private const string Ana = "Contact 7D7D7D";

    private static TextScrubber Scrubber(out KnownPeople people)
    {
        people = new KnownPeople();
        people.Add("Zoë Nguyễn", Zoe, "Zoë", "Nguyễn");
        people.Add("Sam Okafor", Sam, "Sam", "Okafor");
        people.Add("Sam Lee", SamUser);
        people.Add("Max O'Brien", Max, "Max", "O'Brien");
        people.Add("Ana Silva", Ana);
        return new TextScrubber(people);
    }

    private static string Scrub(string text, NameContext? context = null) => Scrub(Scrubber(out _), text, context);

    private static string Scrub(TextScrubber scrubber, string text, NameContext? context = null) =>
        Encoding.UTF8.GetString(scrubber.Scrub(Encoding.UTF8.GetBytes(text), context));

    [Theory]
    [InlineData("Zoë Nguyễn was calm.", "Participant 0A0A0A was calm.")]
    [InlineData("zoë nguyễn was calm.", "Participant 0A0A0A was calm.")]
    [InlineData("ZOË NGUYỄN was calm.", "Participant 0A0A0A was calm.")]
    [InlineData("Then Zoë left; Nguyễn stayed.", "Then Participant 0A0A0A left; Participant 0A0A0A stayed.")]
    [InlineData("Zoë's bag and Nguyễn-led walk", "Participant 0A0A0A's bag and Participant 0A0A0A-led walk")]
    [InlineData("Zoë’s bag", "Participant 0A0A0A’s bag")]
    [InlineData("Max O'Brien arrived; O'Brien's coat", "Participant 3C3C3C arrived; Participant 3C3C3C's coat")]
    [InlineData("\"Max\" said (Max), Max.", "\"Participant 3C3C3C\" said (Participant 3C3C3C), Participant 3C3C3C.")]
    [InlineData("Ana Silva (mother) called", "Contact 7D7D7D (mother) called")]
    public void Every_known_name_becomes_its_persons_pseudonym(string text, string expected) =>
        Assert.Equal(expected, Scrub(text));

    [Theory]
    [InlineData("Maxwell and Zoëy and Samantha were fine.")]
    [InlineData("The maximum was reached at the sample.")]
    [InlineData("")]
    [InlineData("No names here at all, only 12 chairs at 08:30.")]
    public void Words_that_only_contain_a_name_are_left_alone(string text) => Assert.Equal(text, Scrub(text));

    [Fact]
    public void A_full_name_wins_over_its_first_name()
    {
        // "Sam Lee" is a user; "Sam" alone is the participant Sam Okafor (registered first).
        Assert.Equal($"{SamUser} helped {Sam}.", Scrub("Sam Lee helped Sam."));
    }

    [Fact]
    public void A_shared_given_name_means_the_rows_own_person()
    {
        var people = new KnownPeople();
        people.Add("Sam Okafor", Sam, "Sam", "Okafor");
        people.Add("Sam Lee", SamUser, "Sam", "Lee");
        var scrubber = new TextScrubber(people);
        var aboutLee = new NameContext([people.IdOf(SamUser)], people);

        Assert.Equal($"{Sam} was upset.", Scrub(scrubber, "Sam was upset."));
        Assert.Equal($"{SamUser} was upset.", Scrub(scrubber, "Sam was upset.", aboutLee));
        // A name only one person has is theirs, whatever the row.
        Assert.Equal($"{Sam} was upset.", Scrub(scrubber, "Okafor was upset.", aboutLee));
    }

    [Theory]
    [InlineData("Call 0412 345 678 now", "Call [phone] now")]
    [InlineData("Call 0412-345-678 now", "Call [phone] now")]
    [InlineData("Call +61 412 345 678 now", "Call [phone] now")]
    [InlineData("Office (02) 9876 5432 or 02 9876 5432", "Office (02) 9876 5432 or [phone]")]
    [InlineData("NDIS 431234567 on file", "NDIS [ndis number] on file")]
    [InlineData("Mail ana.silva+care@example.com.au please", "Mail [email] please")]
    [InlineData("Ana Silva 0412 345 678, ana@x.org", "Contact 7D7D7D [phone], [email]")]
    public void Contact_details_become_placeholders(string text, string expected) => Assert.Equal(expected, Scrub(text));

    [Theory]
    [InlineData("At 2023-12-31 08:59 the shift began; 3 staff, 12 residents.")]
    [InlineData("Invoice 1234-5678 and order 98765.")]
    public void Dates_times_and_short_numbers_are_not_contact_details(string text) => Assert.Equal(text, Scrub(text));

    [Fact]
    public void Json_string_values_are_scrubbed_and_the_structure_and_keys_are_kept()
    {
        const string json = """{"participant_name":"Zoë Nguyễn","max_questions":8,"summary":"Max spoke to Sam.","tags":["Zoë",null,true,1.5],"nested":{"Max":"0412 345 678"}}""";
        using var document = JsonDocument.Parse(WriteJson(json));
        var root = document.RootElement;
        Assert.Equal(Zoe, root.GetProperty("participant_name").GetString());
        Assert.Equal(8, root.GetProperty("max_questions").GetInt32());
        Assert.Equal($"{Max} spoke to {Sam}.", root.GetProperty("summary").GetString());
        Assert.Equal($"[\"{Zoe}\",null,true,1.5]", root.GetProperty("tags").GetRawText());
        Assert.Equal("[phone]", root.GetProperty("nested").GetProperty("Max").GetString());
    }

    [Fact]
    public void Escaped_json_strings_are_read_as_their_text()
    {
        // As System.Text.Json stores them: non-ASCII as \u escapes, a line break before a name.
        const string json = """{"summary":"Before:\nZo\u00EB Nguy\u1EC5n was \"upset\"","who":"Zo\u00EB"}""";
        var written = WriteJson(json);
        using var document = JsonDocument.Parse(written);
        Assert.Equal($"Before:\n{Zoe} was \"upset\"", document.RootElement.GetProperty("summary").GetString());
        Assert.Equal(Zoe, document.RootElement.GetProperty("who").GetString());
        Assert.DoesNotContain("u00EB", written, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Zoë said {not json")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("[\"Zoë\"] trailing")]
    public void Text_that_is_not_one_json_value_is_written_as_a_scrubbed_string(string text)
    {
        using var document = JsonDocument.Parse(WriteJson(text));
        Assert.Equal(JsonValueKind.String, document.RootElement.ValueKind);
        Assert.Equal(Scrub(text), document.RootElement.GetString());
    }

    [Fact]
    public void Invalid_utf8_does_not_hide_a_name_or_break_the_output()
    {
        byte[] text = [0xFF, .. "Zoë"u8, (byte)' ', 0xC3, (byte)'x', .. " met Max"u8];
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Scrubber(out _).WriteScrubbed(writer, text);
        }

        var value = JsonSerializer.Deserialize<string>(buffer.WrittenSpan)!;
        Assert.Equal($"\uFFFD{Zoe} \uFFFDx met {Max}", value);
    }

    [Fact]
    public void A_value_with_nothing_to_remove_comes_back_as_it_was_without_a_copy()
    {
        var text = "Staff sat with them in the garden for an hour."u8.ToArray();
        var scrubbed = Scrubber(out _).Scrub(text);
        Assert.True(scrubbed == text.AsSpan(), "an unchanged value should be handed back, not copied");
    }

    [Fact]
    public void Every_case_spelling_of_every_name_is_found()
    {
        var scrubber = Scrubber(out var people);
        string[] names = ["Zoë Nguyễn", "Zoë", "Nguyễn", "Sam Okafor", "Okafor", "Max O'Brien", "O'Brien", "Ana Silva"];
        foreach (var name in names)
        {
            foreach (var spelling in new[] { name, name.ToUpperInvariant(), name.ToLowerInvariant(), Alternate(name) })
            {
                var scrubbed = Scrub(scrubber, $"Today {spelling}, again.");
                Assert.DoesNotContain(spelling, scrubbed, StringComparison.Ordinal);
                Assert.Matches("^Today (Participant|User|Contact) [0-9A-F]{6}, again\\.$", scrubbed);
            }
        }

        Assert.True(people.Count >= names.Length);
    }

    private static string Alternate(string name) =>
        string.Concat(name.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)));

    private static string WriteJson(string text)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Scrubber(out _).WriteScrubbedJson(writer, Encoding.UTF8.GetBytes(text));
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

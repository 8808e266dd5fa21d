using System.Buffers;
using System.Text;

using SupportSignal.Export.Deidentification;

namespace SupportSignal.UnitTests.Export;

/// <summary>
/// The scrubber's quick skip of plain words (read eight bytes at a time) must never change what it finds:
/// over thousands of generated texts, every name in every spelling, position and neighbourhood is replaced
/// exactly as the letter-by-letter scan alone replaces it.
/// </summary>
public sealed class NameMatcherTests
{
    private static KnownPeople People()
    {
        var people = new KnownPeople();
        people.Add("Zoë Nguyễn", "Participant 0A0A0A", "Zoë", "Nguyễn");
        people.Add("Max O'Brien", "Participant 3C3C3C", "Max", "O'Brien");
        people.Add("Anne-Marie Smith", "Participant 4D4D4D", "Anne-Marie", "Smith");
        people.Add("Alexandria Montgomery-Featherstonehaugh", "Participant 5E5E5E");
        people.Add("Jameſ Ward", "User 6F6F6F"); // a long s: upper-cased, it is JAMES
        people.Add("Élodie Roux", "Contact 7A7A7A");
        people.Add("Rose Hand", "Participant 8B8B8B", "Rose", "Hand");
        people.Add("Rose Ng", "User 9C9C9C");
        return people;
    }

    private static readonly string[] Words =
    [
        "Zoë", "zoë", "ZOË", "Nguyễn", "Max", "max", "MAX", "O'Brien", "o'brien", "O’Brien", "Anne-Marie", "anne-marie", "Smith", "SMITH",
        "Alexandria", "Montgomery-Featherstonehaugh", "Featherstonehaugh", "JAMES", "James", "Jameſ", "Ward", "Élodie", "élodie", "Roux",
        "Rose", "rose", "Hand", "hand", "Ng", "Zoë's", "Max's", "Maxwell", "maximum", "Smithson", "Roses", "Hands",
        "the", "worker", "said", "and", "walked", "to", "garden", "follow-up", "don't", "it's", "café", "naïve", "extraordinarily",
        "responsibilities", "a", "I", "O", "x", "incomprehensibilities", "well-being", "co-ordinated", "re-", "-led", "'s", "’s",
    ];

    private static readonly string[] Between = [" ", " ", " ", "  ", ", ", ". ", "\n", "\n\n", "(", ") ", "\"", "'", "-", "’", "—", "…", "", "3 ", " 08:30 ", "\t", "é"];

    [Fact]
    public void Quick_skipping_plain_words_finds_exactly_what_the_letter_by_letter_scan_finds()
    {
        var people = People();
        var quick = new NameMatcher(people);
        var thorough = new NameMatcher(people, quickSkip: false);
        var random = new Random(20261206);
        var replaced = 0;
        for (var n = 0; n < 4000; n++)
        {
            var text = new StringBuilder();
            for (var w = random.Next(0, 60); w > 0; w--)
            {
                text.Append(Words[random.Next(Words.Length)]).Append(Between[random.Next(Between.Length)]);
            }

            var utf8 = Encoding.UTF8.GetBytes(text.ToString());
            var (quickFound, quickText) = Replace(quick, utf8);
            var (thoroughFound, thoroughText) = Replace(thorough, utf8);
            Assert.True(thoroughText == quickText && thoroughFound == quickFound, $"For \"{text}\":\nquick:    {quickText}\nthorough: {thoroughText}");
            replaced += quickFound ? 1 : 0;
        }

        Assert.True(replaced > 3000, $"the generated texts should mostly name someone ({replaced} of 4000 did)");
    }

    [Theory]
    [InlineData("Yesterday afternoon Jameſ Ward walked around the garden twice.", "Yesterday afternoon User 6F6F6F walked around the garden twice.")]
    [InlineData("Yesterday afternoon Rose Ng walked around the garden twice.", "Yesterday afternoon User 9C9C9C walked around the garden twice.")]
    [InlineData("Yesterday afternoon the Featherstonehaugh twins visited.", "Yesterday afternoon the Featherstonehaugh twins visited.")]
    [InlineData("Staff followed the well-being plan with Anne-Marie's family all afternoon.", "Staff followed the well-being plan with Participant 4D4D4D's family all afternoon.")]
    [InlineData("Staff washed their hands, then checked hand hygiene twice.", "Staff washed their hands, then checked Participant 8B8B8B hygiene twice.")]
    public void Names_among_long_plain_words_are_found(string text, string expected)
    {
        var (_, scrubbed) = Replace(new NameMatcher(People()), Encoding.UTF8.GetBytes(text));
        Assert.Equal(expected, scrubbed);
    }

    [Fact]
    public void A_letter_beyond_ascii_that_upper_cases_to_ascii_is_matched_in_plain_ascii_text()
    {
        // With ICU (the CLI, the web app in production) ſ upper-cases to S; invariant globalization keeps it as it is.
        var expected = char.ToUpperInvariant('ſ') == 'S'
            ? "Yesterday afternoon User 6F6F6F walked around the garden twice."
            : "Yesterday afternoon JAMES walked around the garden twice.";
        var (_, scrubbed) = Replace(new NameMatcher(People()), "Yesterday afternoon JAMES walked around the garden twice."u8.ToArray());
        Assert.Equal(expected, scrubbed);
    }

    private static (bool Found, string Text) Replace(NameMatcher matcher, byte[] utf8)
    {
        var output = new ArrayBufferWriter<byte>();
        var found = matcher.ReplaceNames(utf8, null, output);
        return (found, Encoding.UTF8.GetString(found ? output.WrittenSpan : utf8));
    }
}

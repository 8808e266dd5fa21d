using System.Text.Json.Nodes;

namespace SupportSignal.GuideTests;

/// <summary>Recipes about de-identified exports: the sharing check, a sample, the review of remaining names.</summary>
public sealed class PrivacyRecipeTests(DemoExport export) : RecipeTests(export)
{
    private string Deidentified => File.ReadAllText(Path.Combine(Export.ExportDirectory, "deidentified.json"));

    [Fact, Recipe("check-deidentified")]
    public async Task The_check_tells_the_normal_export_from_the_deidentified_one()
    {
        var result = await RunShellAsync();

        Assert.Equal(["export.json: NOT de-identified, keep it inside the organisation", "deidentified.json: de-identified"], result.Lines);
    }

    [Fact, Recipe("deidentified-sample")]
    public async Task The_sample_participant_shows_pseudonyms_and_placeholders_not_the_real_values()
    {
        var result = await RunShellAsync();

        var real = Export.Query("SELECT first_name, last_name, ndis_number, date_of_birth, contact_phone FROM participants ORDER BY lower(id) LIMIT 1").Single();
        var sample = JsonNode.Parse(Assert.Single(result.Lines))!;
        Assert.Equal("Participant", (string?)sample["first_name"]);
        Assert.Matches("^[0-9A-F]{6}$", (string?)sample["last_name"]);
        Assert.NotEqual(real[1], (string?)sample["last_name"]);
        Assert.Matches("^NDIS-[0-9A-F]{8}$", (string?)sample["ndis_number"]);
        Assert.Equal(real[3][..4], (string?)sample["date_of_birth"]);
        Assert.Equal("[phone]", (string?)sample["contact_phone"]);
    }

    [Fact, Recipe("review-remaining-names")]
    public async Task The_remaining_capitalised_words_name_nobody_the_database_knows()
    {
        var result = await RunShellAsync();

        var words = result.Lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToList();
        Assert.InRange(words.Count, 2, 20);
        Assert.Contains("Participant", words);
        var people = Export.Query("SELECT first_name FROM participants UNION SELECT last_name FROM participants").Select(r => r[0]).ToHashSet();
        Assert.NotEmpty(people);
        Assert.DoesNotContain(words, people.Contains);

        // And the file as a whole holds none of the participants' identifiers.
        var text = Deidentified;
        foreach (var value in Export.Query("SELECT ndis_number, contact_phone FROM participants").SelectMany(r => r).Where(v => v.Length > 0))
        {
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }
    }
}

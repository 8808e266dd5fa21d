using System.Text.Json;

using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.IntegrationTests.Pages.Admin.DeveloperTools.Export;

public sealed class StablePseudonymsFactory : SupportSignalAppFactory
{
    public const string Key = "test-pseudonym-key-5b1e0c7a9d";

    public StablePseudonymsFactory() => WithSetting(ExportExtensions.PseudonymKeyKey, Key);
}

/// <summary>Export:PseudonymKey reaches the engine from configuration, and goes nowhere else.</summary>
public sealed class PseudonymKeyTests(StablePseudonymsFactory app) : IClassFixture<StablePseudonymsFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_a_configured_key_two_de_identified_exports_give_the_same_pseudonyms_and_the_key_appears_nowhere()
    {
        var client = await ExportDownload.AdminAsync(app);

        var first = await ExportForm.PostAsync(client, [new("Deidentify", "true"), new("Tables", "participants")]);
        var second = await ExportForm.PostAsync(client, [new("Deidentify", "true"), new("Tables", "participants")]);
        var firstText = await first.Content.ReadAsStringAsync(Cancel);
        var secondText = await second.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(Participants(firstText), Participants(secondText));
        Assert.Contains("Participant ", Participants(firstText));
        Assert.DoesNotContain(StablePseudonymsFactory.Key, firstText);
        Assert.DoesNotContain(StablePseudonymsFactory.Key, app.Logs.AllText());
    }

    private static string Participants(string export)
    {
        using var document = JsonDocument.Parse(export);
        return document.RootElement.GetProperty("data").GetProperty("participants").GetRawText();
    }
}

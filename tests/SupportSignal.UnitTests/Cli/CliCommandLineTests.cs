using System.Text.Json;

using SupportSignal.Cli;
using SupportSignal.Export;

using Xunit;

namespace SupportSignal.UnitTests.Cli;

/// <summary>The page's "Copy command" line (<see cref="ExportCommandLine"/>), run by the real CLI, asks for the same export.</summary>
public sealed class CliCommandLineTests(SeededCliDatabase db) : IClassFixture<SeededCliDatabase>
{
    [Fact]
    public async Task The_copied_command_exports_the_segment_the_page_described()
    {
        var company = Guid.Parse(db.Query("SELECT id FROM companies ORDER BY name LIMIT 1")[0]);
        var site = Guid.Parse(db.Query("SELECT id FROM sites WHERE company_id = (SELECT id FROM companies ORDER BY name LIMIT 1) ORDER BY name LIMIT 1")[0]);
        var request = new ExportRequest
        {
            Companies = [company],
            Sites = [site],
            From = new DateOnly(2020, 1, 1),
            To = new DateOnly(2030, 12, 31),
            Tables = ["incidents", "participants"],
            Closure = false,
            Deidentify = true,
        };
        var line = ExportCommandLine.For(request);
        Assert.StartsWith("supportsignal export ", line);

        var result = await db.RunAsync([.. line.Split(' ').Skip(1), "--output", "-", "--quiet"]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var document = JsonDocument.Parse(result.StandardOutputBytes);
        var metadata = document.RootElement.GetProperty("metadata");
        using var asked = JsonDocument.Parse(ExportAuditTrail.FiltersJson(request));
        Assert.Equal(Filters(asked.RootElement), Filters(metadata.GetProperty("filtersApplied")));
        Assert.True(metadata.GetProperty("sanitization").GetProperty("deidentified").GetBoolean());
    }

    // Each filter as text; lists in order (the file lists tables in catalog order, the request as given).
    private static Dictionary<string, string> Filters(JsonElement filters) => filters.EnumerateObject().ToDictionary(
        p => p.Name,
        p => p.Value.ValueKind == JsonValueKind.Array ? string.Join(',', p.Value.EnumerateArray().Select(v => v.GetString()).Order(StringComparer.Ordinal)) : p.Value.ToString());

    [Fact]
    public void A_full_export_in_json_is_the_bare_verb_and_other_formats_name_theirs()
    {
        Assert.Equal("supportsignal export", ExportCommandLine.For(new ExportRequest()));
        Assert.Equal("supportsignal export --format zip --deidentify", ExportCommandLine.For(new ExportRequest { Format = ExportFormat.Zip, Deidentify = true }));
    }
}

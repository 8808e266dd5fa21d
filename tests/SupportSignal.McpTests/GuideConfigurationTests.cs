using System.Text.Json;
using System.Text.RegularExpressions;

using SupportSignal.Export;

namespace SupportSignal.McpTests;

/// <summary>The guide's .mcp.json entries work as written: the same command line, with only the paths made real.</summary>
public sealed partial class GuideConfigurationTests(McpDemo demo)
{
    private const string Heading = "## Claude Code with the MCP server";

    [Fact]
    public async Task The_guides_export_file_entry_starts_a_server_with_the_three_tools()
    {
        var (command, arguments, _) = Entry(0);
        Assert.Equal("supportsignal", command);
        Assert.Equal(["mcp", "--export"], arguments[..2]);
        var file = Path.Combine(Path.GetDirectoryName(demo.NewPath("x"))!, arguments[2]);
        File.Copy(demo.ExportPath(ExportFormat.Zip), file);

        await using var server = await McpServerProcess.StartAsync(McpServerProcess.Executable, [.. arguments[..2], file], null);
        var tools = await server.Client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["describe_export", "query", "sample_rows"], tools.Select(t => t.Name).Order());
    }

    [Fact]
    public async Task The_guides_live_entry_serves_a_de_identified_snapshot_of_the_configured_database()
    {
        var (command, arguments, environment) = Entry(1);
        Assert.Equal("supportsignal", command);
        Assert.Equal(["mcp", "--live"], arguments);
        Assert.StartsWith("Data Source=", environment["ConnectionStrings__SupportSignal"]);
        environment["ConnectionStrings__SupportSignal"] = $"Data Source={await demo.CopyDatabaseAsync()}";

        await using var server = await McpServerProcess.StartAsync(McpServerProcess.Executable, arguments, environment);
        var described = McpServerProcess.Structured(await server.CallAsync("describe_export"));

        Assert.True(described.GetProperty("deidentified").GetBoolean());
    }

    /// <summary>The n-th json block of the guide's MCP section, as command, arguments and environment.</summary>
    private static (string Command, string[] Arguments, Dictionary<string, string?> Environment) Entry(int index)
    {
        var guide = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "database-export-guide.md"));
        var start = guide.IndexOf(Heading, StringComparison.Ordinal);
        Assert.True(start >= 0, "the guide has no MCP section");
        var end = guide.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
        var blocks = JsonBlock().Matches(guide[start..end]).Select(m => m.Groups[1].Value).ToList();
        using var document = JsonDocument.Parse(blocks[index]);
        var server = document.RootElement.GetProperty("mcpServers").GetProperty("supportsignal");
        var environment = server.TryGetProperty("env", out var env)
            ? env.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString())
            : [];
        return (server.GetProperty("command").GetString()!, server.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray(), environment);
    }

    [GeneratedRegex(@"```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}

using System.ComponentModel;
using System.Reflection;

using ModelContextProtocol.Server;

namespace SupportSignal.Mcp;

/// <summary>
/// The documents a model needs to read this snapshot well: docs/export-format.md and the guide's
/// "Claude Code with the MCP server" section, built into the server so they match its version.
/// </summary>
[McpServerResourceType]
[McpServerPromptType]
public sealed class AnalysisGuide
{
    public const string FormatUri = "supportsignal://docs/export-format.md";
    public const string GuideUri = "supportsignal://docs/claude-code-with-the-mcp-server.md";
    public const string GuideHeading = "## Claude Code with the MCP server";

    [McpServerResource(UriTemplate = FormatUri, Name = "export-format", Title = "The SupportSignal export format", MimeType = "text/markdown")]
    [Description("docs/export-format.md: what every table, column, classification and de-identification rule of an export means.")]
    public static string ExportFormat() => Document("export-format.md");

    [McpServerResource(UriTemplate = GuideUri, Name = "claude-code-guide", Title = "Analysing SupportSignal with this MCP server", MimeType = "text/markdown")]
    [Description("The guide's section on analysing a SupportSignal snapshot through this server: what the tools do, example questions, what the model can and cannot see.")]
    public static string ClaudeCodeGuide() => GuideSection();

    [McpServerPrompt(Name = "analysis_guide", Title = "How to analyse this SupportSignal snapshot")]
    [Description("Primes the conversation with how to analyse this snapshot: the tools, the export format and the rules on personal data.")]
    public static string Prompt() =>
        "You are analysing a snapshot of a SupportSignal database (NDIS incident management) through the supportsignal MCP server. " +
        "Start with describe_export, look at data with sample_rows, and answer questions with query (one DuckDB SELECT at a time; " +
        "prefer aggregates; show the SQL you ran). Never quote personal details, even pseudonyms, beyond what the question needs.\n\n" +
        GuideSection() + "\n\n" + Document("export-format.md");

    /// <summary>The guide's MCP section, from its heading up to the next heading of the same level.</summary>
    internal static string GuideSection()
    {
        var guide = Document("database-export-guide.md");
        var start = guide.IndexOf(GuideHeading, StringComparison.Ordinal);
        if (start < 0)
        {
            return guide;
        }

        var end = guide.IndexOf("\n## ", start + GuideHeading.Length, StringComparison.Ordinal);
        return (end < 0 ? guide[start..] : guide[start..end]).Trim();
    }

    private static string Document(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not built into this server.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

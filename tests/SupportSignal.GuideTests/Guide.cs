using System.Text.RegularExpressions;

namespace SupportSignal.GuideTests;

/// <summary>A fenced code block of the guide: its language, its text, and the marker comment before it (if any).</summary>
public sealed record GuideBlock(string Language, string Code, string? Marker, int Line)
{
    /// <summary>The recipe name when the marker is <c>&lt;!-- recipe: NAME --&gt;</c>.</summary>
    public string? RecipeName => Marker is { } m && m.StartsWith("recipe:", StringComparison.Ordinal) ? m["recipe:".Length..].Trim() : null;
}

/// <summary>
/// docs/guides/database-export-guide.md, as published. Recipes are read from it by their marker, so
/// the commands the tests run are exactly the commands a reader copies.
/// </summary>
public static partial class Guide
{
    public const string FileName = "database-export-guide.md";

    /// <summary>Languages whose blocks are commands or queries a reader runs: each must be a tested recipe.</summary>
    public static readonly IReadOnlySet<string> RunnableLanguages = new HashSet<string>(["sh", "bash", "shell", "console", "sql"]);

    private static readonly Lazy<IReadOnlyList<GuideBlock>> _blocks = new(() => Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, FileName))));

    public static IReadOnlyList<GuideBlock> Blocks => _blocks.Value;

    public static IEnumerable<GuideBlock> Recipes => Blocks.Where(b => b.RecipeName is not null);

    /// <summary>The code of the recipe with this marker; fails the test when the guide has no such recipe, or has it twice.</summary>
    public static string Recipe(string name, string language)
    {
        var matches = Recipes.Where(b => b.RecipeName == name).ToList();
        Assert.True(matches.Count == 1, $"The guide should hold exactly one recipe '{name}', found {matches.Count}.");
        Assert.Equal(language, matches[0].Language);
        return matches[0].Code;
    }

    public static IReadOnlyList<GuideBlock> Parse(string markdown)
    {
        var blocks = new List<GuideBlock>();
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string? marker = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var comment = MarkerComment().Match(line);
            if (comment.Success)
            {
                marker = comment.Groups[1].Value.Trim();
                continue;
            }

            var fence = FenceOpening().Match(line);
            if (!fence.Success)
            {
                if (line.Trim().Length > 0)
                {
                    marker = null; // a marker belongs to the block right below it, nothing further down
                }

                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && lines[end].TrimEnd() != fence.Groups[1].Value)
            {
                end++;
            }

            blocks.Add(new GuideBlock(fence.Groups[2].Value, string.Join('\n', lines[start..end]) + "\n", marker, start));
            marker = null;
            i = end;
        }

        return blocks;
    }

    [GeneratedRegex(@"^\s*<!--\s*(.+?)\s*-->\s*$")]
    private static partial Regex MarkerComment();

    [GeneratedRegex(@"^\s*(```+)\s*([A-Za-z0-9_+-]*)")]
    private static partial Regex FenceOpening();
}

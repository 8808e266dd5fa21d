using System.Text.RegularExpressions;

namespace SupportSignal.GuideTests;

/// <summary>The guide's links lead somewhere: files in the repository, headings in the guide.</summary>
public sealed partial class GuideLinkTests
{
    /// <summary>Files other branches are bringing (the CLI's reference, the page's screenshot); they may not have landed yet.</summary>
    private static readonly HashSet<string> _pending = ["docs/cli.md", "docs/images/export-page.png"];

    private static readonly string _markdown = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, Guide.FileName));

    private static IEnumerable<string> Targets => Link().Matches(_markdown).Select(m => m.Groups[1].Value);

    [Fact]
    public void Links_to_repository_files_resolve()
    {
        var root = RepositoryRoot();
        var guideDirectory = Path.Combine(root, "docs", "guides");
        Assert.True(File.Exists(Path.Combine(guideDirectory, Guide.FileName)), "the guide is where the links are resolved from");

        var broken = Targets
            .Where(t => !t.Contains("://", StringComparison.Ordinal) && !t.StartsWith('#'))
            .Select(t => Path.GetRelativePath(root, Path.GetFullPath(Path.Combine(guideDirectory, t.Split('#')[0]))).Replace('\\', '/'))
            .Where(path => !File.Exists(Path.Combine(root, path)) && !_pending.Contains(path))
            .ToList();
        Assert.True(broken.Count == 0, $"Links to files that do not exist: {string.Join(", ", broken)}");
    }

    [Fact]
    public void Links_to_sections_name_a_heading_of_the_guide()
    {
        var slugs = Heading().Matches(_markdown).Select(m => Slug(m.Groups[1].Value)).ToHashSet();
        var broken = Targets.Where(t => t.StartsWith('#') && !slugs.Contains(t[1..])).ToList();
        Assert.True(broken.Count == 0, $"Links to headings the guide does not have: {string.Join(", ", broken)}");
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.</summary>
    private static string Slug(string heading) =>
        Punctuation().Replace(heading.Trim().ToLowerInvariant(), "").Replace(' ', '-');

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SupportSignal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("SupportSignal.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6}\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\s_-]")]
    private static partial Regex Punctuation();
}

using System.Text.Json;
using System.Text.RegularExpressions;

using SupportSignal.Cli;

namespace SupportSignal.GuideTests;

/// <summary>
/// What the documentation names exists: every <c>supportsignal</c> flag is an option of the real
/// command (read from its own help), every page field is a field of a page's form, and every
/// metadata member is in a real export's metadata. A rename in the code fails here until the docs follow.
/// </summary>
public sealed partial class DocReferenceTests(DemoExport export)
{
    private static readonly string _root = GuideLinkTests.RepositoryRoot();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>README.md and every Markdown file under docs/, by path relative to the repository.</summary>
    public static IEnumerable<(string Path, string Text)> Docs() =>
        Directory.EnumerateFiles(Path.Combine(_root, "docs"), "*.md", SearchOption.AllDirectories)
            .Append(Path.Combine(_root, "README.md"))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(_root, f).Replace('\\', '/'), File.ReadAllText(f)));

    [Fact]
    public async Task Every_cli_flag_the_docs_name_is_an_option_of_the_command()
    {
        var root = await HelpAsync([]);
        var verbs = Verb().Matches(root[(root.IndexOf("Commands:", StringComparison.Ordinal) + 9)..]).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("export", verbs);
        var options = new Dictionary<string, HashSet<string>> { [""] = Flags(root) };
        foreach (var verb in verbs)
        {
            options[verb] = Flags(await HelpAsync([verb]));
        }

        var all = options.Values.SelectMany(o => o).ToHashSet();
        var unknown = new List<string>();
        var checkedFlags = 0;
        foreach (var (path, text) in Docs())
        {
            foreach (var (line, number) in text.Split('\n').Select((l, i) => (l, i + 1)))
            {
                // A supportsignal command, in a code block or inline: its flags up to the next pipe or command.
                foreach (Match command in Command().Matches(line))
                {
                    var verb = verbs.FirstOrDefault(v => command.Groups[1].Value == v) ?? "";
                    foreach (var flag in Flag().Matches(command.Value).Select(m => m.Value))
                    {
                        checkedFlags++;
                        if (!options[verb].Contains(flag) && !options[""].Contains(flag))
                        {
                            unknown.Add($"{path}:{number}: supportsignal {verb} {flag}");
                        }
                    }
                }

                // Inline code that is a flag (`--tables debug_logs`) or starts with a verb (`create-admin --email E`).
                foreach (Match code in InlineCode().Matches(line))
                {
                    var words = code.Groups[1].Value.Split(' ');
                    if (!words[0].StartsWith("--", StringComparison.Ordinal) && !verbs.Contains(words[0]))
                    {
                        continue;
                    }

                    foreach (var flag in Flag().Matches(code.Groups[1].Value).Select(m => m.Value))
                    {
                        checkedFlags++;
                        if (!all.Contains(flag))
                        {
                            unknown.Add($"{path}:{number}: {flag}");
                        }
                    }
                }
            }
        }

        Assert.True(unknown.Count == 0, "The docs name flags the command does not have:\n" + string.Join("\n", unknown));
        Assert.True(checkedFlags > 50, $"only {checkedFlags} flags found in the docs");
    }

    [Fact]
    public void Every_page_field_the_docs_name_is_a_field_of_a_page()
    {
        var pages = Path.Combine(_root, "src", "SupportSignal.Web", "Pages");
        var fields = Directory.EnumerateFiles(pages, "*.cshtml", SearchOption.AllDirectories)
            .SelectMany(f => FormField().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .SelectMany(name => new[] { name, name.Split('.')[^1] })
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Companies", fields);
        var types = Directory.EnumerateFiles(Path.Combine(_root, "src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => Declaration().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value))
            .ToHashSet(StringComparer.Ordinal);

        var unknown = new List<string>();
        var checkedFields = 0;
        foreach (var (path, text) in Docs())
        {
            // Sentences about fields or a query string: each PascalCase name in code that is not a type of the code is a field.
            foreach (var sentence in Sentences(text).Where(s => FieldContext().IsMatch(s)))
            {
                foreach (var name in InlineCode().Matches(sentence).Select(m => m.Groups[1].Value).Where(n => PascalCase().IsMatch(n) && !types.Contains(n) && !n.EndsWith("Exception", StringComparison.Ordinal)))
                {
                    checkedFields++;
                    if (!fields.Contains(name))
                    {
                        unknown.Add($"{path}: `{name}` in \"{Shorten(sentence)}\"");
                    }
                }
            }

            // Query strings of the app's own pages: /admin/...?Companies=...&From=...
            foreach (Match query in PageQuery().Matches(text))
            {
                foreach (var name in query.Groups[1].Value.Split('&').Select(p => p.Split('=')[0]))
                {
                    checkedFields++;
                    if (!fields.Contains(name))
                    {
                        unknown.Add($"{path}: query field {name} in {Shorten(query.Value)}");
                    }
                }
            }

            // Tables with a "field" column: the name each row starts with.
            foreach (var name in TableColumn(text, "field"))
            {
                checkedFields++;
                if (!fields.Contains(name))
                {
                    unknown.Add($"{path}: field column names `{name}`");
                }
            }
        }

        Assert.True(unknown.Count == 0, "The docs name page fields no page has:\n" + string.Join("\n", unknown));
        Assert.True(checkedFields >= 12, $"only {checkedFields} page fields found in the docs");
    }

    [Fact]
    public void Every_metadata_member_the_docs_name_is_in_a_real_exports_metadata()
    {
        var documents = new[] { "export.json", "segment.json", "deidentified.json" }
            .Select(f => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(export.ExportDirectory, f))))
            .ToList();
        var metadata = documents.Select(d => d.RootElement.GetProperty("metadata")).ToList();
        var tableNames = documents[0].RootElement.GetProperty("data").EnumerateObject().Select(t => t.Name).ToHashSet();

        var unknown = new List<string>();
        var checkedPaths = 0;
        foreach (var (path, text) in Docs())
        {
            // File names (metadata.json, segment.json) are not members.
            foreach (var member in MetadataPath().Matches(text).Select(m => m.Groups[1].Value.TrimEnd('.')).Where(m => !FileName().IsMatch(m)).Distinct())
            {
                checkedPaths++;
                if (!metadata.Any(m => Resolves(m, member.Replace("[]", "", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries), tableNames)))
                {
                    unknown.Add($"{path}: metadata.{member}");
                }
            }

            // The member tables of export-format.md: the first column names a member of metadata.
            foreach (var member in TableColumn(text, "member"))
            {
                checkedPaths++;
                if (!metadata.Any(m => m.TryGetProperty(member, out _)))
                {
                    unknown.Add($"{path}: member table names `{member}`");
                }
            }
        }

        documents.ForEach(d => d.Dispose());
        Assert.True(unknown.Count == 0, "The docs name metadata members no export has:\n" + string.Join("\n", unknown));
        Assert.True(checkedPaths >= 25, $"only {checkedPaths} metadata members found in the docs");
    }

    // Walks a member path; array steps look into their first element, and a map keyed by table
    // name (recordCounts, stubRows) accepts any table as its next step.
    private static bool Resolves(JsonElement element, IReadOnlyList<string> steps, HashSet<string> tableNames)
    {
        foreach (var step in steps)
        {
            while (element.ValueKind == JsonValueKind.Array)
            {
                if (element.GetArrayLength() == 0)
                {
                    return false;
                }

                element = element[0];
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (element.TryGetProperty(step, out var next))
            {
                element = next;
            }
            else
            {
                return tableNames.Contains(step) && element.EnumerateObject().All(p => tableNames.Contains(p.Name));
            }
        }

        return true;
    }

    private static async Task<string> HelpAsync(string[] verb)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync([.. verb, "--help"], stdout, stderr, cancellationToken: Cancel);
        Assert.True(code == 0, $"supportsignal {string.Join(" ", verb)} --help exited {code}: {stderr}");
        return stdout.ToString();
    }

    private static HashSet<string> Flags(string help) =>
        Flag().Matches(help[help.IndexOf("Options:", StringComparison.Ordinal)..]).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    // Paragraphs (blank lines, list items) split into sentences; code blocks left out.
    private static IEnumerable<string> Sentences(string markdown) =>
        CodeBlock().Replace(markdown, "")
            .Split(["\n\n", "\n- ", "\n| "], StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(p => SentenceEnd().Split(p.Replace('\n', ' ')));

    // The backticked name each row of a Markdown table starts its cell with, in the column with the given header.
    private static IEnumerable<string> TableColumn(string markdown, string header)
    {
        var column = -1;
        foreach (var line in markdown.Split('\n'))
        {
            if (!line.StartsWith('|'))
            {
                column = -1;
                continue;
            }

            var cells = line.Split('|');
            var headerAt = Array.FindIndex(cells, c => c.Trim().Equals(header, StringComparison.OrdinalIgnoreCase));
            if (column < 0 && headerAt > 0)
            {
                column = headerAt;
                continue;
            }

            if (column > 0 && column < cells.Length && !cells[column].TrimStart().StartsWith("---", StringComparison.Ordinal)
                && LeadingCode().Match(cells[column]) is { Success: true } name)
            {
                yield return name.Groups[1].Value;
            }
        }
    }

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "…" : text;

    [GeneratedRegex(@"^\s+([a-z][a-z-]+)\s", RegexOptions.Multiline)]
    private static partial Regex Verb();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9-]*")]
    private static partial Regex Flag();

    // "supportsignal <verb> ..." up to a pipe, a command separator, a backtick, a " -- " (where another
    // program hands the rest on: `claude mcp add supportsignal -- supportsignal mcp ...`) or the end of the line.
    [GeneratedRegex(@"(?<![\w./-])supportsignal(?:\s+([a-z][a-z-]*))?(?:(?!\s--\s)[^|;&`])*")]
    private static partial Regex Command();

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^\s*`([^`\n]+)`")]
    private static partial Regex LeadingCode();

    [GeneratedRegex(@"(?:name|asp-for)=""([A-Za-z_.]+)""")]
    private static partial Regex FormField();

    // Types and methods the code declares: a name in the docs that is one of them is not a field.
    [GeneratedRegex(@"\b(?:class|record|interface|enum|struct)\s+([A-Z]\w*)|\bpublic\s+(?:static\s+)?[\w<>?,\[\] ]+?\s([A-Z]\w*)(?:<\w+>)?\(")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b(?:fields?|query string)\b")]
    private static partial Regex FieldContext();

    [GeneratedRegex(@"^[A-Z][a-z]+(?:[A-Z][a-z]+)*$")]
    private static partial Regex PascalCase();

    [GeneratedRegex(@"/admin/[a-z/-]+\?([A-Za-z]+=[^\s`)&]*(?:&[A-Za-z]+=[^\s`)&]*)*)")]
    private static partial Regex PageQuery();

    // metadata.a.b, .metadata.tables[].columns[], and the segment.* and sanitization.* shorthands.
    [GeneratedRegex(@"(?<![\w])(?:\.?metadata\.|(?=segment\.|sanitization\.))((?:[A-Za-z_]+(?:\[\])?\.?)+)")]
    private static partial Regex MetadataPath();

    [GeneratedRegex(@"(?:^|\.)(?:json|jsonl|gz|zip)$")]
    private static partial Regex FileName();

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"(?<=[.;:])\s+")]
    private static partial Regex SentenceEnd();
}

namespace SupportSignal.GuideTests;

/// <summary>The guide and its tests cannot drift: every recipe is tested, every runnable block is a recipe.</summary>
public sealed class GuideCoverageTests
{
    [Fact]
    public void Every_recipe_in_the_guide_has_a_test()
    {
        var tested = RecipeAttribute.All().Select(t => t.Name).ToHashSet();
        var untested = Guide.Recipes.Select(b => b.RecipeName!).Where(name => !tested.Contains(name)).ToList();
        Assert.True(untested.Count == 0, $"Recipes in the guide with no test: {string.Join(", ", untested)}");
    }

    [Fact]
    public void Every_recipe_test_names_a_recipe_of_the_guide()
    {
        var inGuide = Guide.Recipes.Select(b => b.RecipeName!).ToHashSet();
        var stale = RecipeAttribute.All().Where(t => !inGuide.Contains(t.Name)).Select(t => $"{t.Test.DeclaringType!.Name}.{t.Test.Name} ({t.Name})").ToList();
        Assert.True(stale.Count == 0, $"Tests of recipes the guide no longer has: {string.Join(", ", stale)}");
    }

    [Fact]
    public void Each_recipe_has_one_name_and_one_test()
    {
        Assert.All(Guide.Recipes.GroupBy(b => b.RecipeName), g => Assert.True(g.Count() == 1, $"Recipe '{g.Key}' appears {g.Count()} times in the guide."));
        Assert.All(RecipeAttribute.All().GroupBy(t => t.Name), g => Assert.True(g.Count() == 1, $"Recipe '{g.Key}' is claimed by {g.Count()} tests."));
    }

    [Fact]
    public void Every_shell_or_sql_block_is_a_tested_recipe()
    {
        var loose = Guide.Blocks
            .Where(b => Guide.RunnableLanguages.Contains(b.Language) && b.RecipeName is null)
            .Select(b => $"line {b.Line} ({b.Language})")
            .ToList();
        Assert.True(loose.Count == 0, $"Shell or SQL blocks without a recipe marker: {string.Join(", ", loose)}");
        Assert.All(Guide.Recipes, b => Assert.Contains(b.Language, new[] { "sh", "sql" }));
        var unlabelled = Guide.Blocks.Where(b => b.Language.Length == 0).Select(b => $"line {b.Line}").ToList();
        Assert.True(unlabelled.Count == 0, $"Code blocks without a language, which could hide an untested command: {string.Join(", ", unlabelled)}");
    }

    [Fact]
    public void The_parser_reads_markers_only_directly_above_a_block()
    {
        var blocks = Guide.Parse("""
            <!-- recipe: first -->
            ```sh
            echo one
            ```

            <!-- recipe: orphaned -->
            Some prose in between.

            ```sql
            SELECT 1;
            ```
            <!-- note -->
            ````sh
            supportsignal export --output x.json
            ````
            """);

        Assert.Collection(
            blocks,
            b => Assert.Equal(("sh", "echo one\n", "first"), (b.Language, b.Code, b.RecipeName)),
            b => Assert.Equal(("sql", (string?)null), (b.Language, b.Marker)),
            b => Assert.Equal(("sh", "note", (string?)null), (b.Language, b.Marker, b.RecipeName)));
    }

    [Fact]
    public void The_guide_holds_the_recipes_the_issue_asks_for()
    {
        var names = Guide.Recipes.Select(b => b.RecipeName).ToHashSet();
        Assert.Superset(
            new HashSet<string?> { "counts-by-type", "incomplete-narratives", "incidents-per-participant", "estimate-tokens", "split-by-table", "split-by-date" },
            names);
    }
}

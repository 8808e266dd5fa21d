using System.Reflection;
using System.Runtime.CompilerServices;

namespace SupportSignal.GuideTests;

/// <summary>Marks a test as the test of the guide's recipe <paramref name="name"/> (its <c>&lt;!-- recipe: NAME --&gt;</c> marker).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RecipeAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>Every recipe name some test claims, across the assembly.</summary>
    public static IEnumerable<(MethodInfo Test, string Name)> All() =>
        from type in typeof(RecipeAttribute).Assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<RecipeAttribute>()
        where attribute is not null
        select (method, attribute.Name);
}

/// <summary>
/// Base of the recipe tests: a test names its recipe once, in its <see cref="RecipeAttribute"/>, and runs
/// exactly that recipe, so the attribute the coverage check reads is the recipe the test ran.
/// </summary>
public abstract class RecipeTests(DemoExport export)
{
    protected DemoExport Export => export;

    protected Task<ShellResult> RunShellAsync([CallerMemberName] string test = "") =>
        Runners.ShellAsync(export, Guide.Recipe(RecipeOf(test), "sh"));

    protected Task<ShellResult> RunCliAsync([CallerMemberName] string test = "") =>
        Runners.CliAsync(export, Guide.Recipe(RecipeOf(test), "sh"));

    /// <summary>Runs the test's CLI recipe in an empty folder (for a recipe that writes names the demo export already has).</summary>
    protected Task<ShellResult> RunCliInEmptyFolderAsync([CallerMemberName] string test = "") =>
        Runners.CliAsync(export, Guide.Recipe(RecipeOf(test), "sh"), export.NewDirectory("empty"));

    /// <summary>Runs the test's shell recipe on a copy of the export that <paramref name="damage"/> has altered.</summary>
    protected Task<ShellResult> RunShellOnDamagedCopyAsync(Action<string> damage, [CallerMemberName] string test = "")
    {
        var copy = export.NewDirectory("damaged");
        Runners.CopyDirectory(export.ExportDirectory, copy);
        damage(copy);
        return Runners.ShellAsync(export, Guide.Recipe(RecipeOf(test), "sh"), copy);
    }

    protected List<string[]> RunSql([CallerMemberName] string test = "") =>
        Runners.DuckDb(export, Guide.Recipe(RecipeOf(test), "sql"));

    protected string SqlOf([CallerMemberName] string test = "") => Guide.Recipe(RecipeOf(test), "sql");

    private string RecipeOf(string test) =>
        GetType().GetMethod(test)?.GetCustomAttribute<RecipeAttribute>()?.Name
        ?? throw new InvalidOperationException($"{GetType().Name}.{test} runs a recipe but has no [Recipe] attribute.");
}

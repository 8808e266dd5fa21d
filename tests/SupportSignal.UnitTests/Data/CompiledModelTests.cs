using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

using SupportSignal.Data;

namespace SupportSignal.UnitTests.Data;

/// <summary>
/// The CLI reads SQLite and PostgreSQL databases through the compiled models (CompiledModels/Sqlite,
/// CompiledModels/PostgreSql), which do not follow the entity configurations by themselves. When a
/// configuration changes, regenerate both:
/// <c>dotnet ef dbcontext optimize --project src/SupportSignal.Data --context SqliteSupportSignalDbContext
/// --output-dir CompiledModels/Sqlite --namespace SupportSignal.Data.CompiledModels.Sqlite</c> (and the same
/// with PostgreSqlSupportSignalDbContext, CompiledModels/PostgreSql, SupportSignal.Data.CompiledModels.PostgreSql),
/// then delete the generated *AssemblyAttributes.cs (the compiled models are opt-in).
/// </summary>
public sealed class CompiledModelTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=:memory:")]
    [InlineData(DatabaseProvider.PostgreSql, "Host=127.0.0.1;Database=never-opened;Username=postgres")]
    public void The_compiled_model_has_every_table_column_key_index_and_classification_of_the_configurations(DatabaseProvider provider, string connectionString)
    {
        using var built = Context(provider, connectionString, compiled: false);
        using var compiled = Context(provider, connectionString, compiled: true);

        Assert.NotSame(built.Model, compiled.Model);
        // On failure: regenerate the compiled model (see the class comment).
        Assert.Equal(Describe(built.Model), Describe(compiled.Model));
    }

    private static SupportSignalDbContext Context(DatabaseProvider provider, string connectionString, bool compiled) =>
        new DatabaseSettings(provider, connectionString) { CompiledModel = compiled }.CreateContext();

    // Every entity, property, key and index the runtime model keeps, with their annotations (the
    // classification, personal kind, JSON-text, table role and event-date marks among them).
    private static string Describe(IModel model)
    {
        var text = new StringBuilder();
        foreach (var entity in model.GetEntityTypes().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            text.AppendLine($"{entity.Name} table {entity.GetTableName()} {Annotations(entity)}");
            foreach (var property in entity.GetProperties().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                text.AppendLine($"  {property.Name} {property.ClrType.Name} column {property.GetColumnName()} {property.GetColumnType()} " +
                    $"null {property.IsNullable} max {property.GetMaxLength()} {Annotations(property)}");
            }

            foreach (var key in entity.GetKeys())
            {
                text.AppendLine($"  key {string.Join(",", key.Properties.Select(p => p.Name))} primary {key.IsPrimaryKey()}");
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                text.AppendLine($"  fk {string.Join(",", foreignKey.Properties.Select(p => p.Name))} -> {foreignKey.PrincipalEntityType.Name} {foreignKey.DeleteBehavior}");
            }

            foreach (var index in entity.GetIndexes())
            {
                text.AppendLine($"  index {index.GetDatabaseName()} {string.Join(",", index.Properties.Select(p => p.Name))} unique {index.IsUnique}");
            }
        }

        return text.ToString();
    }

    private static string Annotations(IReadOnlyAnnotatable item) =>
        string.Join(" ", item.GetAnnotations()
            .Where(a => a.Name.StartsWith("SupportSignal:", StringComparison.Ordinal))
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a => $"{a.Name}={a.Value}"));
}

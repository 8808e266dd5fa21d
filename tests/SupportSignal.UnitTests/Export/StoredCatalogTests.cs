using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

using SupportSignal.Data;
using SupportSignal.Export;
using SupportSignal.Export.Catalog;
using SupportSignal.Export.Reading;
using SupportSignal.UnitTests.Data;

namespace SupportSignal.UnitTests.Export;

/// <summary>
/// The CLI's export reads the stored catalog of its provider (src/SupportSignal.Export/Catalog/Stored) and
/// quotes names itself, so it never builds an EF Core model; both must say exactly what the model (and the
/// migrations of this build) say.
/// When an entity configuration changes, regenerate the stored catalogs with
/// <c>SUPPORTSIGNAL_WRITE_CATALOGS=1 dotnet test --project tests/SupportSignal.UnitTests -- --filter-class '*StoredCatalogTests'</c>.
/// </summary>
public sealed class StoredCatalogTests
{
    private const string WriteVariable = "SUPPORTSIGNAL_WRITE_CATALOGS";

    private const string Regenerate =
        $"The stored export catalog differs from the model's. Regenerate it: {WriteVariable}=1 dotnet test --project tests/SupportSignal.UnitTests -- --filter-class '*StoredCatalogTests'";

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    [InlineData(DatabaseProvider.SqlServer)]
    public void The_stored_catalog_is_the_one_the_model_gives(DatabaseProvider provider)
    {
        using var db = ClassificationTests.ContextFor(provider);
        var fromModel = StoredCatalog.Write(ExportCatalog.FromModel(db.Model), db.KnownMigrations());
        var path = Path.Combine(ExportDocumentTests.RepositoryRoot(), "src", "SupportSignal.Export", StoredCatalog.FileName(provider));
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            File.WriteAllText(path, fromModel);
        }

        // The file in the repository, and the resource the engine reads, both equal the model's catalog field for field.
        Assert.True(File.Exists(path), $"{path} is missing. {Regenerate}");
        Assert.True(fromModel == File.ReadAllText(path), $"{StoredCatalog.FileName(provider)}: {Regenerate}");
        Assert.True(fromModel == StoredCatalog.Write(StoredCatalog.For(provider), StoredCatalog.MigrationsOf(provider)), $"The embedded {StoredCatalog.FileName(provider)} is stale: rebuild. {Regenerate}");
    }

    [Fact]
    public void Reading_a_stored_catalog_keeps_every_field()
    {
        using var db = ClassificationTests.ContextFor(DatabaseProvider.Sqlite);
        var catalog = ExportCatalog.FromModel(db.Model);
        var text = StoredCatalog.Write(catalog, db.KnownMigrations());
        var (read, migrations) = StoredCatalog.Read(System.Text.Encoding.UTF8.GetBytes(text));

        Assert.Equal(text, StoredCatalog.Write(read, migrations));
        Assert.Equal(db.KnownMigrations(), migrations);
        Assert.Equal(catalog.Tables.Select(t => t.Name), read.Tables.Select(t => t.Name));
        // Spot checks that the writer does not drop what the engine relies on.
        var incidents = read.Find("incidents")!;
        Assert.Contains(incidents.Columns, c => c.IsEventDate);
        Assert.Contains(read.Tables.SelectMany(t => t.Columns), c => c.DecimalDigits is not null);
        Assert.Contains(read.Tables.SelectMany(t => t.Columns), c => c.Personal is not null);
        Assert.NotNull(read.NameOf(SupportSignal.Data.Classification.TableRole.Tenant));
        Assert.Equal(
            catalog.Tables.SelectMany(t => t.ForeignKeys).Select(fk => $"{string.Join(",", fk.Columns)}->{fk.PrincipalTable}"),
            read.Tables.SelectMany(t => t.ForeignKeys).Select(fk => $"{string.Join(",", fk.Columns)}->{fk.PrincipalTable}"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    [InlineData(DatabaseProvider.SqlServer)]
    public void Names_are_quoted_as_EF_Core_quotes_them(DatabaseProvider provider)
    {
        using var db = ClassificationTests.ContextFor(provider);
        var helper = db.GetService<ISqlGenerationHelper>();
        var dialect = SqlDialect.For(provider);
        var catalog = ExportCatalog.FromModel(db.Model);
        string[] hostile =
        [
            "a\"b", "a]b", "[x]", "Upper", "camelCase", "select", "user", "order", "table", "1starts_with_digit", "with space",
            "dollar$", "_under", "semi;colon", "tab\tname", "café", "\"", "]", "quote'", "seg_incidents", "#seg_incidents",
        ];
        var names = catalog.Tables.Select(t => t.Name)
            .Concat(catalog.Tables.SelectMany(t => t.Columns).Select(c => c.Name))
            .Concat(hostile)
            .Distinct()
            .ToList();

        Assert.All(names, name => Assert.Equal(helper.DelimitIdentifier(name), dialect.Delimit(name)));
    }
}

/// <summary>
/// The engine over plain settings (the CLI) runs the very SQL the engine over a context runs, on every
/// provider: the stored catalog, its own quoting and the lazily built model's literals change nothing.
/// </summary>
public sealed class ExportWithoutContextTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=never-opened.db")]
    [InlineData(DatabaseProvider.PostgreSql, "Host=never-contacted;Database=supportsignal;Username=postgres")]
    [InlineData(DatabaseProvider.SqlServer, "Server=never-contacted;Database=SupportSignal;Integrated Security=true")]
    public void Every_statement_of_full_segmented_and_de_identified_exports_is_the_same_text(DatabaseProvider provider, string connectionString)
    {
        var settings = new DatabaseSettings(provider, connectionString) { CompiledModel = provider != DatabaseProvider.SqlServer };
        using var db = settings.CreateContext();
        var overContext = new ExportService(db);
        var withoutContext = new ExportService(ExportDatabase.Over(settings));
        ExportRequest[] requests =
        [
            new(),
            new() { Companies = [Guid.NewGuid()], Sites = [Guid.NewGuid()], From = new DateOnly(2025, 1, 1), To = new DateOnly(2025, 3, 31) },
            new() { Tables = ["clarification_answers", "debug_logs"], From = new DateOnly(2025, 1, 1), Closure = true },
            new() { Companies = [Guid.NewGuid()], Closure = false, Deidentify = true },
        ];

        foreach (var request in requests)
        {
            var expected = overContext.DescribeSql(request);
            Assert.True(expected.Count > 20);
            Assert.Equal(expected, withoutContext.DescribeSql(request));
        }
    }
}

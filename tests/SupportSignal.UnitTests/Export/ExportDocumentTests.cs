using System.Text;
using System.Text.Json;

using Json.Schema;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.Data.Classification;
using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

public sealed class ExportDocumentTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    // The schema registers its $id globally, so it is built once per test run.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromFile(Path.Combine(RepositoryRoot(), "docs", "export.schema.json")));

    private TestDatabase Database => seeded.Database;

    [Fact]
    public async Task Every_table_of_the_model_is_exported_or_listed_as_excluded_with_its_reason()
    {
        await using var db = Database.NewContext();
        var modelTables = db.Model.GetEntityTypes().Select(e => e.GetTableName()!).Distinct().Order().ToList();
        using var document = await ExportRunner.DocumentAsync(Database);

        var exported = document.RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name).ToList();
        var excluded = document.RootElement.GetProperty("metadata").GetProperty("sanitization").GetProperty("excludedTables")
            .EnumerateArray().ToDictionary(e => e.GetProperty("table").GetString()!, e => e.GetProperty("reason").GetString()!);

        Assert.Equal(modelTables, exported.Concat(excluded.Keys).Order());
        Assert.Equal(["data_protection_keys", "debug_logs", "user_tokens"], excluded.Keys.Order());
        Assert.All(excluded.Values, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
        Assert.Contains("asked for by name", excluded["debug_logs"]);
    }

    [Fact]
    public async Task Record_counts_equal_the_arrays_and_the_database()
    {
        using var document = await ExportRunner.DocumentAsync(Database);
        var metadata = document.RootElement.GetProperty("metadata");
        long total = 0;
        foreach (var table in document.RootElement.GetProperty("data").EnumerateObject())
        {
            var inDatabase = Database.Scalar($"SELECT COUNT(*) FROM \"{table.Name}\"");
            Assert.Equal(inDatabase, table.Value.GetArrayLength());
            Assert.Equal(inDatabase, metadata.GetProperty("recordCounts").GetProperty(table.Name).GetInt64());
            total += inDatabase;
        }

        Assert.Equal(total, metadata.GetProperty("totalRecords").GetInt64());
        Assert.True(total > 1000, "the demo set should fill the export");
    }

    [Fact]
    public async Task No_secret_value_appears_anywhere_in_the_output()
    {
        await using var db = Database.NewContext();
        var catalog = new ExportService(db).Catalog;
        var secrets = new List<string> { SeededDatabase.DataProtectionSecret };
        foreach (var table in catalog.Tables)
        {
            foreach (var column in table.SecretColumns)
            {
                secrets.AddRange(Database.Strings($"SELECT \"{column.Name}\" FROM \"{table.Name}\""));
            }
        }

        Assert.Contains(secrets, s => s.StartsWith("AQAAAA", StringComparison.Ordinal)); // real Identity password hashes
        Assert.True(secrets.Count > 50, $"only {secrets.Count} secret values seeded");

        // debug_logs asked for too, so every table that can be exported is scanned.
        var requestAll = new ExportRequest { Tables = catalog.Tables.Where(t => !t.IsWhollySecret).Select(t => t.Name).ToList() };
        foreach (var bytes in new[] { await ExportRunner.BytesAsync(Database), await ExportRunner.BytesAsync(Database, requestAll) })
        {
            var text = Encoding.UTF8.GetString(bytes);
            foreach (var secret in secrets.Where(s => s.Length >= 8).Distinct())
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
                Assert.DoesNotContain(JsonEncodedText.Encode(secret).ToString(), text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Metadata_describes_the_tables_columns_keys_and_what_was_removed()
    {
        using var document = await ExportRunner.DocumentAsync(Database);
        var metadata = document.RootElement.GetProperty("metadata");
        Assert.Equal(ExportService.FormatVersion, metadata.GetProperty("formatVersion").GetInt32());
        Assert.Equal("2026-11-26T09:30:00.000Z", metadata.GetProperty("exportedAt").GetString());
        Assert.Equal("full", metadata.GetProperty("exportType").GetString());
        Assert.Equal("cli", metadata.GetProperty("exportedBy").GetString());
        Assert.Equal("sqlite", metadata.GetProperty("database").GetProperty("provider").GetString());
        await using (var db = Database.NewContext())
        {
            Assert.Equal(db.Database.GetMigrations().Last(), metadata.GetProperty("database").GetProperty("latestMigration").GetString());
        }

        var removed = metadata.GetProperty("sanitization").GetProperty("removedColumns").EnumerateArray()
            .Select(c => $"{c.GetProperty("table").GetString()}.{c.GetProperty("column").GetString()}").ToList();
        Assert.Contains("users.password_hash", removed);
        Assert.Contains("users.security_stamp", removed);
        Assert.Contains("user_invitations.invitation_token", removed);
        Assert.Contains("user_logins.provider_key", removed);
        Assert.False(metadata.GetProperty("sanitization").GetProperty("deidentified").GetBoolean());

        var tables = metadata.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        var incidents = tables["incidents"];
        Assert.Equal(["id"], incidents.GetProperty("primaryKey").EnumerateArray().Select(e => e.GetString()));
        var columns = incidents.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("personal", columns["participant_name"].GetProperty("classification").GetString());
        Assert.Equal("free_text", columns["location"].GetProperty("classification").GetString());
        Assert.True(columns["site_id"].GetProperty("nullable").GetBoolean());
        Assert.False(columns["company_id"].GetProperty("nullable").GetBoolean());
        Assert.Contains(incidents.GetProperty("foreignKeys").EnumerateArray(), fk =>
            fk.GetProperty("columns")[0].GetString() == "participant_id"
            && fk.GetProperty("references").GetProperty("table").GetString() == "participants"
            && fk.GetProperty("references").GetProperty("columns")[0].GetString() == "id");
        Assert.DoesNotContain("password_hash", tables["users"].GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.False(incidents.TryGetProperty("keyNote", out _));
    }

    [Fact]
    public async Task Every_listed_key_column_is_exported_and_a_table_keyed_by_a_secret_says_how_to_join_it()
    {
        using var document = await ExportRunner.DocumentAsync(Database);
        foreach (var table in document.RootElement.GetProperty("metadata").GetProperty("tables").EnumerateArray())
        {
            var columns = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToHashSet();
            Assert.All(table.GetProperty("primaryKey").EnumerateArray(), k => Assert.Contains(k.GetString(), columns));
        }

        var logins = document.RootElement.GetProperty("metadata").GetProperty("tables").EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "user_logins");
        Assert.Equal(["login_provider"], logins.GetProperty("primaryKey").EnumerateArray().Select(e => e.GetString()));
        var note = logins.GetProperty("keyNote").GetString()!;
        Assert.Contains("(login_provider, provider_key)", note);
        Assert.Contains("provider_key is secret", note);
        Assert.Contains("user_id → users.id", note);
    }

    [Fact]
    public async Task Tables_come_parents_first_so_every_foreign_key_points_backwards()
    {
        using var document = await ExportRunner.DocumentAsync(Database);
        var order = document.RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name).ToList();
        var edges = document.RootElement.GetProperty("metadata").GetProperty("tables").EnumerateArray()
            .SelectMany(t => t.GetProperty("foreignKeys").EnumerateArray()
                .Select(fk => (Child: t.GetProperty("name").GetString()!, Parent: fk.GetProperty("references").GetProperty("table").GetString()!)))
            .Where(e => e.Child != e.Parent)
            .ToHashSet();
        Assert.Contains(("incidents", "participants"), edges);
        foreach (var (child, parent) in edges)
        {
            // users and companies reference each other; such a cycle can only be broken one way.
            if (!edges.Contains((parent, child)) && order.Contains(parent))
            {
                Assert.True(order.IndexOf(parent) < order.IndexOf(child), $"{parent} should come before {child}");
            }
        }
    }

    [Fact]
    public async Task A_real_export_validates_against_the_published_json_schema()
    {
        var schema = Schema.Value;
        using var document = await ExportRunner.DocumentAsync(Database);
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(20)));

        // And the schema is not vacuous: a document with a wrong type fails it.
        var broken = JsonNodeFrom(document).AsObject();
        broken["metadata"]!["totalRecords"] = "many";
        using var brokenDocument = JsonDocument.Parse(broken.ToJsonString());
        Assert.False(schema.Evaluate(brokenDocument.RootElement).IsValid);
    }

    [Fact]
    public async Task A_segmented_export_validates_against_the_published_json_schema()
    {
        var schema = Schema.Value;
        await using var db = Database.NewContext();
        var company = await db.Companies.Select(c => c.Id).FirstAsync(TestContext.Current.CancellationToken);
        using var document = await ExportRunner.DocumentAsync(Database, new ExportRequest { Companies = [company], From = new DateOnly(2024, 1, 1), Tables = ["incidents"] });
        Assert.True(schema.Evaluate(document.RootElement).IsValid);
    }

    [Fact]
    public async Task Asking_for_named_tables_exports_only_those_and_says_it_is_segmented()
    {
        using var document = await ExportRunner.DocumentAsync(Database, new ExportRequest { Tables = ["Incidents", " debug_logs "], Closure = false });
        Assert.Equal(["debug_logs", "incidents"], document.RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name).Order());
        var metadata = document.RootElement.GetProperty("metadata");
        Assert.Equal("segmented", metadata.GetProperty("exportType").GetString());
        Assert.Equal(Database.Scalar("SELECT COUNT(*) FROM debug_logs"), metadata.GetProperty("recordCounts").GetProperty("debug_logs").GetInt64());
    }

    [Theory]
    [InlineData("no_such_table", "Unknown table 'no_such_table'")]
    [InlineData("user_tokens", "never exported")]
    [InlineData("  ", "at least one table")]
    public async Task Bad_table_names_are_refused_before_any_byte_is_written(string table, string message)
    {
        await using var db = Database.NewContext();
        using var output = new MemoryStream();
        var error = await Assert.ThrowsAsync<ExportRequestException>(() =>
            new ExportService(db).ExportAsync(new ExportRequest { Tables = [table] }, output));
        Assert.Equal("tables", error.Field);
        Assert.Contains(message, error.Message);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void Every_column_of_the_export_catalog_carries_the_models_classification()
    {
        using var db = Database.NewContext();
        var catalog = new ExportService(db).Catalog;
        var users = catalog.Find("users")!;
        Assert.Equal(DataClass.Secret, users.Columns.Single(c => c.Name == "password_hash").Classification);
        Assert.Equal(DataClass.Personal, users.Columns.Single(c => c.Name == "email").Classification);
        Assert.True(catalog.Find("user_tokens")!.IsWhollySecret);
        Assert.True(catalog.Find("data_protection_keys")!.IsWhollySecret);
        Assert.False(users.IsWhollySecret);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SupportSignal.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("SupportSignal.sln not found above the test binaries.");
    }

    private static System.Text.Json.Nodes.JsonNode JsonNodeFrom(JsonDocument document) =>
        System.Text.Json.Nodes.JsonNode.Parse(document.RootElement.GetRawText())!;
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

using SupportSignal.Data;
using SupportSignal.Data.Classification;

namespace SupportSignal.UnitTests.Data;

public sealed class ClassificationTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.SqlServer];

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_tables_segments_and_defaults_rely_on_are_declared_in_the_model_once_each(DatabaseProvider provider)
    {
        using var db = ContextFor(provider);
        var roles = db.Model.GetEntityTypes()
            .Where(e => e.FindTableRole() is not null)
            .ToDictionary(e => e.FindTableRole()!.Value, e => e.GetTableName());
        var eventDates = db.Model.GetEntityTypes()
            .SelectMany(e => e.GetProperties().Where(p => p.IsEventDate())
                .Select(p => $"{e.GetTableName()}.{p.GetColumnName(StoreObjectIdentifier.Table(e.GetTableName()!, e.GetSchema()))}"))
            .ToList();

        Assert.Equal(Enum.GetValues<TableRole>().Order(), roles.Keys.Order());
        Assert.Equal("companies", roles[TableRole.Tenant]);
        Assert.Equal("sites", roles[TableRole.Site]);
        Assert.Equal("users", roles[TableRole.Accounts]);
        Assert.Equal("debug_logs", roles[TableRole.OptInLog]);
        Assert.Equal(["incidents.event_date_time"], eventDates);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_column_of_every_table_carries_exactly_one_classification(DatabaseProvider provider)
    {
        using var db = ContextFor(provider);
        var unclassified = new List<string>();
        var columns = 0;
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                columns++;
                if (property.FindClassification() is null)
                {
                    unclassified.Add($"{table.Name}.{property.GetColumnName(table)}");
                }
            }
        }

        Assert.Empty(unclassified);
        Assert.True(columns > 200, $"only {columns} columns in the model");
    }

    [Fact]
    public void Every_personal_column_says_what_it_holds_so_it_can_be_de_identified()
    {
        using var db = ContextFor(DatabaseProvider.Sqlite);
        var personal = db.Model.GetEntityTypes().SelectMany(e => e.GetProperties())
            .Where(p => p.FindClassification() == DataClass.Personal)
            .ToList();
        Assert.True(personal.Count >= 15);
        Assert.All(personal, p => Assert.True(p.FindPersonalKind() is not null, $"{p.DeclaringType.DisplayName()}.{p.Name} has no personal kind"));
        Assert.DoesNotContain(db.Model.GetEntityTypes().SelectMany(e => e.GetProperties()),
            p => p.FindPersonalKind() is not null && p.FindClassification() != DataClass.Personal);
    }

    [Fact]
    public void Classifying_a_column_twice_is_refused()
    {
        var builder = new ModelBuilder();
        var entity = builder.Entity<Twice>();
        entity.Classify(DataClass.Personal, nameof(Twice.Name));
        var error = Assert.Throws<InvalidOperationException>(() => entity.Classify(DataClass.Ordinary, nameof(Twice.Name)));
        Assert.Contains("Name", error.Message);
    }

    [Theory]
    [InlineData("users", "password_hash")]
    [InlineData("users", "security_stamp")]
    [InlineData("user_tokens", "value")]
    [InlineData("user_logins", "provider_key")]
    [InlineData("user_invitations", "invitation_token")]
    [InlineData("impersonation_sessions", "session_token")]
    [InlineData("impersonation_sessions", "original_session_token")]
    [InlineData("data_protection_keys", "xml")]
    public void The_secret_columns_of_the_domain_model_are_marked_secret(string table, string column) =>
        Assert.Equal(DataClass.Secret, ClassOf(table, column));

    [Theory]
    [InlineData("participants", "first_name", DataClass.Personal)]
    [InlineData("participants", "date_of_birth", DataClass.Personal)]
    [InlineData("participants", "ndis_number", DataClass.Personal)]
    [InlineData("participants", "care_notes", DataClass.FreeText)]
    [InlineData("incidents", "participant_name", DataClass.Personal)]
    [InlineData("incident_narratives", "during_event", DataClass.FreeText)]
    [InlineData("workflow_handoffs", "handoff_data", DataClass.FreeText)]
    [InlineData("ai_request_logs", "error_message", DataClass.FreeText)]
    [InlineData("debug_logs", "stack", DataClass.FreeText)]
    [InlineData("users", "email", DataClass.Personal)]
    [InlineData("incidents", "event_date_time", DataClass.Ordinary)]
    public void Personal_and_free_text_columns_are_classified_as_the_domain_model_says(string table, string column, DataClass expected) =>
        Assert.Equal(expected, ClassOf(table, column));

    private static DataClass? ClassOf(string tableName, string column)
    {
        using var db = ContextFor(DatabaseProvider.Sqlite);
        var entity = db.Model.GetEntityTypes().Single(e => e.GetTableName() == tableName);
        var table = StoreObjectIdentifier.Table(tableName, entity.GetSchema());
        return entity.GetProperties().Single(p => p.GetColumnName(table) == column).FindClassification();
    }

    internal static SupportSignalDbContext ContextFor(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new DatabaseSettings(provider, "Data Source=never-opened.db").CreateContext(),
        _ => new DatabaseSettings(provider, "Server=never-contacted;Database=SupportSignal;Integrated Security=true").CreateContext(),
    };

    private sealed class Twice
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";
    }
}

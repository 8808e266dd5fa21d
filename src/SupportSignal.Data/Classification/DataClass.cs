using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SupportSignal.Data.Classification;

/// <summary>How sensitive a column is; the export obeys it (see docs/architecture.md).</summary>
public enum DataClass
{
    /// <summary>Nothing about a person and nothing secret.</summary>
    Ordinary,

    /// <summary>A direct identifier of a person: pseudonymized in a de-identified export.</summary>
    Personal,

    /// <summary>Prose that may name people: scrubbed in a de-identified export.</summary>
    FreeText,

    /// <summary>Password hashes, stamps, tokens, key material: never exported, never logged.</summary>
    Secret,
}

/// <summary>
/// What a personal column holds, so a de-identified export knows how to replace it: names get
/// stable pseudonyms, contact details placeholders, a birth date its year.
/// </summary>
public enum PersonalKind
{
    /// <summary>A participant's full name ("Zoë Nguyễn").</summary>
    ParticipantName,

    /// <summary>A participant's given name; with the family name of the same row it makes the person.</summary>
    ParticipantGivenName,

    /// <summary>A participant's family name.</summary>
    ParticipantFamilyName,

    /// <summary>The full name of a staff member or other account holder.</summary>
    UserFullName,

    Email,
    Phone,
    Address,
    NdisNumber,
    BirthDate,

    /// <summary>Free-form contact details that name a person ("Ana Silva (mother) 0412 345 678").</summary>
    ContactDetails,

    /// <summary>Anything else about a person (an Identity claim's value): scrubbed like free text.</summary>
    Other,
}

/// <summary>
/// What a table is to the export, declared once in the model like classification, so the engine
/// names no table: segments filter by the tenant, the site and the events' date, and reach
/// them through foreign keys; references to accounts record who acted, not who owns a row.
/// </summary>
public enum TableRole
{
    /// <summary>The tenant (companies): a company filter keeps its rows and what hangs off them.</summary>
    Tenant,

    /// <summary>A tenant's site: a site filter keeps its rows and what hangs off them.</summary>
    Site,

    /// <summary>The accounts that act (users): an optional reference to them carries no tenancy.</summary>
    Accounts,

    /// <summary>Large, noisy operational logs: exported only when asked for by name.</summary>
    OptInLog,
}

public static class ModelAnnotations
{
    public const string Classification = "SupportSignal:Classification";

    /// <summary>The <see cref="PersonalKind"/> of a personal column.</summary>
    public const string PersonalKindAnnotation = "SupportSignal:PersonalKind";

    /// <summary>Marks a text column whose content is a JSON document.</summary>
    public const string JsonText = "SupportSignal:JsonText";

    /// <summary>The <see cref="TableRole"/> of a table.</summary>
    public const string TableRoleAnnotation = "SupportSignal:TableRole";

    /// <summary>Marks the column that dates a table's events (an incident's event date): a date range filters on it.</summary>
    public const string EventDate = "SupportSignal:EventDate";

    public static string ToWireName(this DataClass value) => value switch
    {
        DataClass.Ordinary => "ordinary",
        DataClass.Personal => "personal",
        DataClass.FreeText => "free_text",
        DataClass.Secret => "secret",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    public static DataClass? FindClassification(this IReadOnlyProperty property) =>
        property.FindAnnotation(Classification)?.Value is string text
            ? Enum.GetValues<DataClass>().Single(c => c.ToWireName() == text)
            : null;

    public static PersonalKind? FindPersonalKind(this IReadOnlyProperty property) =>
        property.FindAnnotation(PersonalKindAnnotation)?.Value is string text ? Enum.Parse<PersonalKind>(text) : null;

    public static bool IsJsonText(this IReadOnlyProperty property) =>
        property.FindAnnotation(JsonText)?.Value is true;

    public static TableRole? FindTableRole(this IReadOnlyEntityType entity) =>
        entity.FindAnnotation(TableRoleAnnotation)?.Value is string text ? Enum.Parse<TableRole>(text) : null;

    public static bool IsEventDate(this IReadOnlyProperty property) =>
        property.FindAnnotation(EventDate)?.Value is true;

    /// <summary>Says what the table is to the export (one table per role).</summary>
    public static EntityTypeBuilder<T> HasTableRole<T>(this EntityTypeBuilder<T> builder, TableRole role)
        where T : class => builder.HasAnnotation(TableRoleAnnotation, role.ToString());

    /// <summary>Marks the column that dates the table's events.</summary>
    public static EntityTypeBuilder<T> EventDateColumn<T>(this EntityTypeBuilder<T> builder, string propertyName)
        where T : class
    {
        builder.Property(propertyName).HasAnnotation(EventDate, true);
        return builder;
    }

    /// <summary>Declares the class of the named columns. A column declared twice is a model error.</summary>
    public static EntityTypeBuilder<T> Classify<T>(this EntityTypeBuilder<T> builder, DataClass dataClass, params string[] propertyNames)
        where T : class
    {
        foreach (var name in propertyNames)
        {
            var property = builder.Property(name);
            if (property.Metadata.FindAnnotation(Classification) is { } existing)
            {
                throw new InvalidOperationException(
                    $"{typeof(T).Name}.{name} is classified twice ({existing.Value} and {dataClass.ToWireName()}).");
            }

            property.HasAnnotation(Classification, dataClass.ToWireName());
        }

        return builder;
    }

    /// <summary>Classifies the named columns as personal and says what they hold.</summary>
    public static EntityTypeBuilder<T> Personal<T>(this EntityTypeBuilder<T> builder, PersonalKind kind, params string[] propertyNames)
        where T : class
    {
        builder.Classify(DataClass.Personal, propertyNames);
        foreach (var name in propertyNames)
        {
            builder.Property(name).HasAnnotation(PersonalKindAnnotation, kind.ToString());
        }

        return builder;
    }

    public static EntityTypeBuilder<T> JsonTextColumns<T>(this EntityTypeBuilder<T> builder, params string[] propertyNames)
        where T : class
    {
        foreach (var name in propertyNames)
        {
            builder.Property(name).HasAnnotation(JsonText, true);
        }

        return builder;
    }
}

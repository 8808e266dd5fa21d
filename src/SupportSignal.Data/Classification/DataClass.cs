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

public static class ModelAnnotations
{
    public const string Classification = "SupportSignal:Classification";

    /// <summary>Marks a text column whose content is a JSON document.</summary>
    public const string JsonText = "SupportSignal:JsonText";

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

    public static bool IsJsonText(this IReadOnlyProperty property) =>
        property.FindAnnotation(JsonText)?.Value is true;

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

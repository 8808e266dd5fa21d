namespace SupportSignal.Export;

/// <summary>Engine switches; the defaults are what production uses.</summary>
public sealed record ExportEngineOptions
{
    /// <summary>On SQLite, hand the database's UTF-8 bytes straight to the writer (byte-identical to the generic path).</summary>
    public bool UseSqliteFastPath { get; init; } = true;

    /// <summary>
    /// Export:PseudonymKey: a secret that makes de-identified pseudonyms the same across exports.
    /// Null gives every export a fresh random key, so two exports cannot be linked.
    /// </summary>
    public string? PseudonymKey { get; init; }

    // The key must never reach a log line through the record's generated ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"UseSqliteFastPath = {UseSqliteFastPath}, PseudonymKey = {(PseudonymKey is null ? "none" : "(set)")}");
        return true;
    }
}

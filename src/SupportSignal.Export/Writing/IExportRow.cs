namespace SupportSignal.Export.Writing;

/// <summary>
/// The row a source is positioned on, as a de-identifying column transform and the Parquet writer's
/// typed columns read it: the SQLite fast path answers from the statement (text stays SQLite's
/// UTF-8), the generic path from its data reader. A typed value is the one the JSON export writes
/// for the column (docs/export-format.md, "data"). A span from <see cref="GetUtf8"/> must be used
/// before asking for another value.
/// </summary>
internal interface IExportRow
{
    /// <summary>Counts every row the source has read, across tables; never repeats, so it keys per-row caches.</summary>
    long Position { get; }

    bool IsNull(int ordinal);

    string GetString(int ordinal);

    /// <summary>A text value as UTF-8, valid until the next call or the next row.</summary>
    ReadOnlySpan<byte> GetUtf8(int ordinal);

    Guid GetGuid(int ordinal);

    DateOnly GetDate(int ordinal);

    bool GetBoolean(int ordinal);

    int GetInt32(int ordinal);

    long GetInt64(int ordinal);

    double GetDouble(int ordinal);

    decimal GetDecimal(int ordinal);

    /// <summary>A stored UTC timestamp, as UTC (the JSON export writes it with a <c>Z</c> whatever the provider's kind).</summary>
    DateTime GetUtcDateTime(int ordinal);

    /// <summary>A stored instant with its offset, as UTC.</summary>
    DateTime GetUtcDateTimeOffset(int ordinal);

    byte[] GetBytes(int ordinal);
}

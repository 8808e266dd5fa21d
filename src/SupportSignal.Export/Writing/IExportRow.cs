namespace SupportSignal.Export.Writing;

/// <summary>
/// The row a source is positioned on, as a de-identifying column transform reads it: the SQLite
/// fast path answers from the statement (text stays SQLite's UTF-8), the generic path from its
/// data reader. A transform must use a span from <see cref="GetUtf8"/> before asking for another.
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
}

namespace SupportSignal.DemoData;

/// <summary>What a seed run left in the database: rows per table (by table name) and how long it took.</summary>
public sealed record DemoDataSummary(IReadOnlyDictionary<string, long> RowsPerTable, TimeSpan Elapsed)
{
    public long TotalRows => RowsPerTable.Values.Sum();

    public long this[string table] => RowsPerTable.GetValueOrDefault(table);
}

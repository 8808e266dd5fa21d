using System.Data;
using System.Data.Common;

namespace SupportSignal.Export.Reading;

/// <summary>
/// SQL Server: <c>SNAPSHOT</c> isolation (row versions in tempdb, no shared locks; a migration
/// enables it on the database); <c>OFFSET … FETCH</c>; <c>#</c> temporary tables.
/// </summary>
internal sealed class SqlServerDialect : SqlDialect
{
    public override string Name => "sqlserver";

    public override string Delimit(string name) => $"[{name.Replace("]", "]]", StringComparison.Ordinal)}]";

    public override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, bool writesTempTables, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.Snapshot, cancellationToken);

    // The model's DateTime columns are datetime2; SqlClient would send a DateTime as datetime (to 3.33 ms).
    public override void Bind(DbParameter parameter, object? value)
    {
        base.Bind(parameter, value);
        if (value is DateTime)
        {
            parameter.DbType = DbType.DateTime2;
        }
    }

    public override string FirstRows(string select, int rows) => $"{select} OFFSET 0 ROWS FETCH NEXT {rows} ROWS ONLY";

    public override string KeyTable(string table) => Delimit("#seg_" + table);

    public override string CreateTempTable(string keyTable, string definition) => $"CREATE TABLE {keyTable} ({definition})";
}

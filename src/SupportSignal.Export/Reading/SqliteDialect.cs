using System.Data;
using System.Data.Common;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

using SupportSignal.Export.Writing;

namespace SupportSignal.Export.Reading;

/// <summary>
/// SQLite: a deferred read transaction is the snapshot (on a WAL database writers carry on, and
/// the reader sees the state at its first read; IMMEDIATE would block them); <c>LIMIT</c>; TEMP
/// tables; and the fast path that hands SQLite's UTF-8 bytes straight to the writer.
/// </summary>
internal sealed class SqliteDialect(ISqlGenerationHelper sql) : SqlDialect(sql)
{
    public override string Name => "sqlite";

    public override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, bool writesTempTables, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: true));

    public override string FirstRows(string select, int rows) => $"{select} LIMIT {rows}";

    public override string KeyTable(string table) => Delimit("seg_" + table);

    public override string CreateTempTable(string keyTable, string definition) => $"CREATE TEMP TABLE {keyTable} ({definition})";

    public override IRowSource? FastRows(DbConnection connection) => new SqliteRowSource((SqliteConnection)connection);
}

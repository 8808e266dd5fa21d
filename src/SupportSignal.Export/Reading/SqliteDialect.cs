using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;

using Microsoft.Data.Sqlite;

using SQLitePCL;

using SupportSignal.Export.Writing;

namespace SupportSignal.Export.Reading;

/// <summary>
/// SQLite: a deferred read transaction is the snapshot (on a WAL database writers carry on, and
/// the reader sees the state at its first read; IMMEDIATE would block them); <c>LIMIT</c>; TEMP
/// tables; and the fast path that hands SQLite's UTF-8 bytes straight to the writer. On a WAL
/// database the snapshot can be shared: <c>sqlite3_snapshot_get</c> records the version the export's
/// transaction reads and each further connection opens exactly that version
/// (<c>sqlite3_snapshot_open</c>), without blocking writers.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    public override string Name => "sqlite";

    public override bool SharesSnapshots => true;

    // The provider's default (the cores, at most 4): on an idle two-core machine two readers beat one
    // at every size, by 26-45% (docs/benchmarks.md, issue 16).

    // A SQLite json.gz export keeps the very bytes of the serial export (ExportBytesPinTests pins them);
    // its compressor, not the reading, is what bounds its speed.
    public override bool SharesSnapshotsForCompressedOutput => false;

    public override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, bool writesTempTables, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: true));

    public override string FirstRows(string select, int rows) => $"{select} LIMIT {rows}";

    public override string KeyTable(string table) => Delimit("seg_" + table);

    public override string CreateTempTable(string keyTable, string definition) => $"CREATE TEMP TABLE {keyTable} ({definition})";

    // EF Core keeps a GUID as upper-case TEXT (Microsoft.Data.Sqlite would bind a Guid as a BLOB); a
    // DateTime is bound as EF Core writes it (yyyy-MM-dd HH:mm:ss.FFFFFFF), a bool as 0 or 1.
    public override void Bind(DbParameter parameter, object? value) =>
        base.Bind(parameter, value is Guid id ? id.ToString().ToUpperInvariant() : value);

    public override IRowSource? FastRows(DbConnection connection, IRowSource generic, Action fastTableRead) =>
        new SqliteRowSource((SqliteConnection)connection, fastTableRead);

    // Only a WAL database keeps old versions readable by other connections; another journal mode reads serially.
    public override async Task<SnapshotShare?> ShareSnapshotAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var mode = Snapshot.CreateCommand(connection, transaction, "PRAGMA journal_mode"))
        {
            if (!string.Equals(await mode.ExecuteScalarAsync(cancellationToken) as string, "wal", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        // The export's transaction has read already (schema check, counts), so this is the version it
        // reads. SQLite records none while the WAL holds no commit yet (just after a checkpoint): the
        // export then reads the database file alone, and so will any reader that finds the WAL still empty.
        var sqlite = (SqliteConnection)connection;
        if (raw.sqlite3_snapshot_get(sqlite.Handle, "main", out var version) != raw.SQLITE_OK)
        {
            version?.Dispose();
            version = null;
        }

        return new SqliteSnapshotShare(sqlite.ConnectionString, version);
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }

    /// <summary>Further connections on the version one export's transaction reads (null: the database file, the WAL being empty).</summary>
    private sealed class SqliteSnapshotShare(string connectionString, sqlite3_snapshot? version) : SnapshotShare
    {
        public override async Task<(DbConnection Connection, DbTransaction Transaction)?> AdoptAsync(CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                // A connection opens the WAL at its first read; only then can it move onto an older version.
                await using (var read = connection.CreateCommand())
                {
                    read.CommandText = "SELECT COUNT(*) FROM sqlite_master";
                    await read.ExecuteScalarAsync(cancellationToken);
                }

                var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: true);
                if (version is not null)
                {
                    Check(raw.sqlite3_snapshot_open(connection.Handle, "main", version), connection.Handle!);
                    return (connection, transaction);
                }

                // While the export reads the file alone, no checkpoint can empty the WAL again: a WAL that is
                // still empty here means nothing was committed since, and this reader sees the same version.
                await using (var read = Snapshot.CreateCommand(connection, transaction, "SELECT COUNT(*) FROM sqlite_master"))
                {
                    await read.ExecuteScalarAsync(cancellationToken);
                }

                if (raw.sqlite3_snapshot_get(connection.Handle, "main", out var moved) == raw.SQLITE_OK)
                {
                    moved.Dispose();
                    await transaction.DisposeAsync();
                    await connection.DisposeAsync();
                    return null;
                }

                moved?.Dispose();
                return (connection, transaction);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public override ValueTask DisposeAsync()
        {
            version?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

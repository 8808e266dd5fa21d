using System.Data.Common;

using SupportSignal.Data;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export.Reading;

/// <summary>
/// What the engine says differently to each database: how a snapshot begins, how a statement is
/// cut to its first rows, how a segment's temporary key tables are named and created, and the
/// provider's fast row path, if it has one. Everything else is plain SQL that every provider
/// reads alike. A provider is one subclass plus one line in <see cref="For"/>.
/// </summary>
internal abstract class SqlDialect
{
    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(),
        DatabaseProvider.SqlServer => new SqlServerDialect(),
        DatabaseProvider.PostgreSql => new PostgreSqlDialect(),
        _ => throw new NotSupportedException($"The export has no SQL dialect for {provider}."),
    };

    /// <summary>The provider's name in the export's metadata ("sqlite", "sqlserver").</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Quotes a table or column name the provider's way, exactly as EF Core's SQL generation helper
    /// does (a test compares them), without an EF Core context: <c>"a""b"</c> by default.
    /// </summary>
    public virtual string Delimit(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary>Starts the read transaction that is the export's consistent snapshot.</summary>
    /// <param name="writesTempTables">A segment that chooses rows writes them into temporary tables inside it.</param>
    public abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, bool writesTempTables, CancellationToken cancellationToken);

    /// <summary>The same ordered SELECT, reading only its first <paramref name="rows"/> rows.</summary>
    public abstract string FirstRows(string select, int rows);

    /// <summary>The delimited name of the temporary key table a segment keeps for <paramref name="table"/>.</summary>
    public abstract string KeyTable(string table);

    /// <summary>The statement that creates a temporary table private to this connection (its name from <see cref="KeyTable"/>).</summary>
    public abstract string CreateTempTable(string keyTable, string definition);

    /// <summary>
    /// A faster row source than the data reader for this connection, or null to use the data reader.
    /// It may hand a table it cannot read to <paramref name="generic"/>; it calls <paramref name="fastTableRead"/>
    /// once for each table it reads itself (<see cref="ExportSummary.FastPathTables"/>).
    /// </summary>
    public virtual IRowSource? FastRows(DbConnection connection, IRowSource generic, Action fastTableRead) => null;

    /// <summary>Whether the provider's data reader gives a text column's stored UTF-8 bytes through <c>GetBytes</c>.</summary>
    public virtual bool ReadsTextAsUtf8 => false;

    /// <summary>A value as the column's literal should be made from it (a segment's day bounds, its ids).</summary>
    public virtual object LiteralValue(object value) => value;

    /// <summary>
    /// Gives a parameter of a plain command (the audit trail's INSERT and UPDATE) a value as EF Core
    /// stores it in this provider's column of that type; null is the database's NULL.
    /// </summary>
    public virtual void Bind(DbParameter parameter, object? value) => parameter.Value = value ?? DBNull.Value;

    /// <summary>Whether further sessions can read this snapshot (<see cref="ExportSnapshotAsync"/>, <see cref="AdoptSnapshotAsync"/>).</summary>
    public virtual bool SharesSnapshots => false;

    /// <summary>Names the snapshot so other sessions can adopt it.</summary>
    public virtual Task<string> ExportSnapshotAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Name} cannot share a snapshot between sessions.");

    /// <summary>A further session, on the same database as <paramref name="exporter"/>, reading the named snapshot read-only.</summary>
    public virtual Task<(DbConnection Connection, DbTransaction Transaction)> AdoptSnapshotAsync(
        DbConnection exporter, string snapshotId, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Name} cannot share a snapshot between sessions.");

    /// <summary>How many connections read an export when Export:Parallelism is not set.</summary>
    public virtual int DefaultParallelism => ExportEngineOptions.DefaultParallelism;

    /// <summary>
    /// Whether parallel readers also serve a json.gz export. A compressor's output depends on the pieces
    /// its input comes in, which parallel readers change: the document is the same, the container's bytes are not.
    /// </summary>
    public virtual bool SharesSnapshotsForCompressedOutput => SharesSnapshots;

    /// <summary>
    /// Lets further sessions read the snapshot this open transaction reads, or null when this database
    /// cannot share it (the export then reads on its own connection). By default through
    /// <see cref="ExportSnapshotAsync"/> and <see cref="AdoptSnapshotAsync"/>.
    /// </summary>
    public virtual async Task<SnapshotShare?> ShareSnapshotAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (!SharesSnapshots)
        {
            return null;
        }

        var id = await ExportSnapshotAsync(connection, transaction, cancellationToken);
        return new NamedSnapshotShare(this, connection, id);
    }

}

/// <summary>An export's snapshot, open to further sessions: each <see cref="AdoptAsync"/> is one more reader of it.</summary>
internal abstract class SnapshotShare : IAsyncDisposable
{
    /// <summary>One more session on the snapshot; null when the snapshot turns out not to be shareable after all (the export reads serially).</summary>
    public abstract Task<(DbConnection Connection, DbTransaction Transaction)?> AdoptAsync(CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A snapshot the server names (<see cref="SqlDialect.ExportSnapshotAsync"/>) and other sessions adopt by that name.</summary>
internal sealed class NamedSnapshotShare(SqlDialect dialect, DbConnection exporter, string id) : SnapshotShare
{
    public override async Task<(DbConnection Connection, DbTransaction Transaction)?> AdoptAsync(CancellationToken cancellationToken) =>
        await dialect.AdoptSnapshotAsync(exporter, id, cancellationToken);
}

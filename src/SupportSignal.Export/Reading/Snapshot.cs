using System.Data.Common;
using System.Globalization;

using SupportSignal.Data;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export.Reading;

/// <summary>
/// The connection and read transaction every statement of one export runs in: the schema check,
/// a segment's key tables, the names de-identification learns, the counts and the rows. Every
/// command is made here, in the snapshot's transaction and with no timeout (an export of a large
/// database runs as long as it needs; cancellation stops it).
/// </summary>
internal sealed class Snapshot : IAsyncDisposable
{
    private readonly ExportDatabase _database;
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;

    private readonly bool _fastPath;
    private int _fastPathTables;

    private Snapshot(ExportDatabase database, SqlDialect dialect, DbTransaction transaction, bool fastPath)
    {
        _database = database;
        Dialect = dialect;
        _connection = transaction.Connection!;
        _transaction = transaction;
        _fastPath = fastPath;
        Rows = RowsOn(_connection, _transaction);
    }

    public SqlDialect Dialect { get; }

    public DbConnection Connection => _connection;

    public DbTransaction Transaction => _transaction;

    /// <summary>The provider's fast path where it has one and it is switched on, else the data reader.</summary>
    public IRowSource Rows { get; }

    /// <summary>The row source this snapshot uses, for another session that reads the same snapshot (a parallel reader).</summary>
    public IRowSource RowsOn(DbConnection connection, DbTransaction transaction)
    {
        var generic = new DataReaderRowSource(sql => CreateCommand(connection, transaction, sql), Dialect.ReadsTextAsUtf8);
        return (_fastPath ? Dialect.FastRows(connection, generic, () => Interlocked.Increment(ref _fastPathTables)) : null) ?? generic;
    }

    /// <summary>How many tables (and size samples) the provider's fast path read on this snapshot, on any of its sessions.</summary>
    public int FastPathTables => Volatile.Read(ref _fastPathTables);

    /// <summary>The latest migration applied to the database the snapshot reads (checked when it opens).</summary>
    public string? AppliedMigration { get; private set; }

    /// <summary>
    /// Opens the snapshot and checks, first of all, that the database is at the schema this version
    /// reads: before any segment, de-identification or count query could fail on a missing column.
    /// </summary>
    public static async Task<Snapshot> OpenAsync(
        ExportDatabase database, SqlDialect dialect, bool fastPath, bool writesTempTables, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        DbTransaction? transaction = null;
        try
        {
            transaction = await dialect.BeginSnapshotAsync(connection, writesTempTables, cancellationToken);
            var snapshot = new Snapshot(database, dialect, transaction, fastPath);
            await snapshot.CheckSchemaAsync(cancellationToken);
            return snapshot;
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await database.CloseAsync(connection);
            throw;
        }
    }

    public DbCommand CreateCommand(string sql) => CreateCommand(_connection, _transaction, sql);

    /// <summary>A command in a snapshot's transaction (this one's, or a further session's that adopted it).</summary>
    public static DbCommand CreateCommand(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 0;
        return command;
    }

    /// <summary>Runs a SELECT, handing over the reader on each row.</summary>
    public async Task QueryAsync(string sql, Action<DbDataReader> each, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            each(reader);
        }
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(sql);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<long> CountAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _database.CloseAsync(_connection);
    }

    private async Task CheckSchemaAsync(CancellationToken cancellationToken)
    {
        AppliedMigration = (await DatabaseMigrator.AppliedMigrationsAsync(_connection, _transaction, _database.Provider, cancellationToken)).LastOrDefault();
        var expected = _database.KnownMigrations.LastOrDefault();
        if (AppliedMigration != expected)
        {
            throw new ExportSchemaException(AppliedMigration, expected);
        }
    }
}

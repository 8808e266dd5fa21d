using System.Data.Common;
using System.Globalization;

using Microsoft.EntityFrameworkCore;

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
    private readonly SupportSignalDbContext _db;
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;

    private readonly bool _fastPath;

    private Snapshot(SupportSignalDbContext db, SqlDialect dialect, DbTransaction transaction, bool fastPath)
    {
        _db = db;
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
    public IRowSource RowsOn(DbConnection connection, DbTransaction transaction) =>
        (_fastPath ? Dialect.FastRows(connection) : null) ?? new DataReaderRowSource(sql => CreateCommand(connection, transaction, sql), Dialect.ReadsTextAsUtf8);

    /// <summary>The latest migration applied to the database the snapshot reads (checked when it opens).</summary>
    public string? AppliedMigration { get; private set; }

    /// <summary>
    /// Opens the snapshot and checks, first of all, that the database is at the schema this version
    /// reads: before any segment, de-identification or count query could fail on a missing column.
    /// </summary>
    public static async Task<Snapshot> OpenAsync(
        SupportSignalDbContext db, SqlDialect dialect, bool fastPath, bool writesTempTables, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        DbTransaction? transaction = null;
        try
        {
            transaction = await dialect.BeginSnapshotAsync(db.Database.GetDbConnection(), writesTempTables, cancellationToken);
            await db.Database.UseTransactionAsync(transaction, cancellationToken);
            var snapshot = new Snapshot(db, dialect, transaction, fastPath);
            await snapshot.CheckSchemaAsync(cancellationToken);
            return snapshot;
        }
        catch
        {
            if (transaction is not null)
            {
                await db.Database.UseTransactionAsync(null, CancellationToken.None);
                await transaction.DisposeAsync();
            }

            await db.Database.CloseConnectionAsync();
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
        await _db.Database.UseTransactionAsync(null, CancellationToken.None);
        await _transaction.DisposeAsync();
        await _db.Database.CloseConnectionAsync();
    }

    private async Task CheckSchemaAsync(CancellationToken cancellationToken)
    {
        AppliedMigration = (await _db.AppliedMigrationsAsync(cancellationToken)).LastOrDefault();
        var expected = _db.KnownMigrations().LastOrDefault();
        if (AppliedMigration != expected)
        {
            throw new ExportSchemaException(AppliedMigration, expected);
        }
    }
}

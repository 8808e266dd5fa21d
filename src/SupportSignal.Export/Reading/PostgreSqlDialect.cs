using System.Data;
using System.Data.Common;

using Npgsql;

using SupportSignal.Export.Writing;

namespace SupportSignal.Export.Reading;

/// <summary>
/// PostgreSQL: <c>REPEATABLE READ</c>, so every count and row comes from the snapshot taken at the
/// transaction's first statement, made <c>READ ONLY</c> unless a segment writes its temporary key
/// tables (PostgreSQL refuses those in a read-only transaction). <c>DEFERRABLE</c> only changes
/// <c>SERIALIZABLE READ ONLY</c> transactions, so it is not asked for. The snapshot can be shared:
/// <c>pg_export_snapshot()</c> names it and further sessions adopt it with <c>SET TRANSACTION SNAPSHOT</c>.
/// </summary>
internal sealed class PostgreSqlDialect : SqlDialect
{
    // PostgreSQL's reserved words, as Npgsql lists them (what EF Core's Npgsql helper reads too), on the first name that needs them.
    private static readonly Lazy<HashSet<string>> _reservedWords = new(() =>
    {
        using var connection = new NpgsqlConnection();
        return connection.GetSchema("ReservedWords").Rows.Cast<DataRow>().Select(r => (string)r["ReservedWord"]).ToHashSet(StringComparer.OrdinalIgnoreCase);
    });

    public override string Name => "postgresql";

    // As EF Core's Npgsql provider writes names: bare when PostgreSQL would read them unchanged (a lower-case
    // identifier that is no reserved word), quoted otherwise; so the SQL is the same text as through EF Core.
    public override string Delimit(string name) => NeedsQuotes(name) ? base.Delimit(name) : name;

    private static bool NeedsQuotes(string name) =>
        name.Length == 0
        || !(char.IsLower(name[0]) || name[0] == '_')
        || !name.Skip(1).All(c => char.IsLower(c) || char.IsDigit(c) || c is '_' or '$')
        || _reservedWords.Value.Contains(name);

    public override bool SharesSnapshots => true;

    // Npgsql reads columns in PostgreSQL's binary format, where text (and varchar) is the UTF-8 it stores.
    public override bool ReadsTextAsUtf8 => true;

    public override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, bool writesTempTables, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        if (!writesTempTables)
        {
            await RunAsync(connection, transaction, "SET TRANSACTION READ ONLY", cancellationToken);
        }

        return transaction;
    }

    // COPY … TO STDOUT (FORMAT BINARY) on the session, parsed into the canonical writers (docs/benchmarks.md).
    public override IRowSource? FastRows(DbConnection connection, IRowSource generic, Action fastTableRead) =>
        new PostgreSqlRowSource((NpgsqlConnection)connection, generic, fastTableRead);

    public override string FirstRows(string select, int rows) => $"{select} LIMIT {rows}";

    public override string KeyTable(string table) => Delimit("seg_" + table);

    public override string CreateTempTable(string keyTable, string definition) => $"CREATE TEMP TABLE {keyTable} ({definition})";

    // timestamptz holds instants, and Npgsql refuses a DateTime whose kind is not UTC: a segment's days are UTC days.
    public override object LiteralValue(object value) =>
        value is DateTime { Kind: DateTimeKind.Unspecified } day ? DateTime.SpecifyKind(day, DateTimeKind.Utc) : value;

    public override void Bind(DbParameter parameter, object? value) => base.Bind(parameter, value is null ? null : LiteralValue(value));

    public override async Task<string> ExportSnapshotAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_export_snapshot()", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public override async Task<(DbConnection Connection, DbTransaction Transaction)> AdoptSnapshotAsync(
        DbConnection exporter, string snapshotId, CancellationToken cancellationToken)
    {
        // CloneWith keeps the password, which the open connection's ConnectionString no longer shows.
        var npgsql = (NpgsqlConnection)exporter;
        var connection = npgsql.CloneWith(npgsql.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            // The id comes from the server (pg_export_snapshot), never from input; quoted all the same.
            await RunAsync(connection, transaction,
                $"SET TRANSACTION READ ONLY; SET TRANSACTION SNAPSHOT '{snapshotId.Replace("'", "''", StringComparison.Ordinal)}'", cancellationToken);
            return (connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task RunAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

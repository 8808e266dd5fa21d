using Microsoft.Data.Sqlite;

using SupportSignal.TestSupport;

namespace SupportSignal.ReliabilityTests;

/// <summary>Raw SQLite work on an app's database file, from outside the app (another process would do the same).</summary>
public static class Sql
{
    /// <summary>A fresh id as the app stores one (upper-case GUID text), made per row by SQLite itself.</summary>
    public const string NewGuid =
        "upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))";

    public static async Task<SqliteConnection> OpenAsync(string databasePath, CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(TestDatabase.ConnectionString(databasePath));
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public static async Task<long> ExecuteAsync(this SqliteConnection connection, string sql, CancellationToken cancellationToken = default, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<T> ScalarAsync<T>(this SqliteConnection connection, string sql, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(cancellationToken))!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// INSERT ... SELECT copies of up to <paramref name="count"/> rows of a table with new ids;
    /// <paramref name="overrides"/> replaces a column's value with an SQL expression.
    /// </summary>
    public static async Task<long> CloneRowsAsync(
        this SqliteConnection connection, string table, int count, IReadOnlyDictionary<string, string>? overrides = null,
        SqliteTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        var columns = new List<string>();
        await using (var info = connection.CreateCommand())
        {
            info.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
            info.Transaction = transaction;
            await using var reader = await info.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                columns.Add(reader.GetString(0));
            }
        }

        var values = columns.Select(c => overrides?.GetValueOrDefault(c) ?? (c == "id" ? NewGuid : $"\"{c}\""));
        var list = string.Join(", ", columns.Select(c => $"\"{c}\""));
        return await connection.ExecuteAsync(
            $"INSERT INTO \"{table}\" ({list}) SELECT {string.Join(", ", values)} FROM \"{table}\" ORDER BY random() LIMIT {count}",
            cancellationToken, transaction);
    }

    /// <summary>
    /// A TRUNCATE checkpoint: true when no reader holds an older snapshot of the database. A running
    /// export's read transaction keeps it from completing, so this tells when that transaction ended.
    /// </summary>
    public static async Task<bool> NoReaderHoldsASnapshotAsync(this SqliteConnection connection, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0) == 0;
    }
}

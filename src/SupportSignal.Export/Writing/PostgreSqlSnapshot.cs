using System.Data;

using Npgsql;

namespace SupportSignal.Export.Writing;

/// <summary>
/// PostgreSQL's snapshot for an export: REPEATABLE READ, so every count and row comes from the
/// snapshot taken at the transaction's first statement, and READ ONLY where nothing is written.
/// (DEFERRABLE only changes SERIALIZABLE READ ONLY transactions, so it is not asked for.)
/// </summary>
internal static class PostgreSqlSnapshot
{
    public static async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection connection, bool readOnly, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        if (readOnly)
        {
            try
            {
                await using var command = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch
            {
                await transaction.DisposeAsync();
                throw;
            }
        }

        return transaction;
    }

    /// <summary>Names the transaction's snapshot so other sessions can read exactly the same data.</summary>
    public static async Task<string> ExportAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_export_snapshot()", connection, transaction);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A further session on the same server reading the exported snapshot, read-only.</summary>
    public static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> AdoptAsync(
        NpgsqlConnection exporter, string snapshotId, CancellationToken cancellationToken)
    {
        var connection = exporter.CloneWith(exporter.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            // The snapshot id comes from the server itself (pg_export_snapshot), never from input.
            await using var command = new NpgsqlCommand($"SET TRANSACTION READ ONLY; SET TRANSACTION SNAPSHOT '{snapshotId.Replace("'", "''", StringComparison.Ordinal)}'", connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return (connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

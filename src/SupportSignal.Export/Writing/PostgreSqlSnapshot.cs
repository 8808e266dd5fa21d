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
}

using System.Data.Common;
using System.Globalization;

using DuckDB.NET.Data;

namespace SupportSignal.Mcp;

/// <summary>How much one answer may hold and how long one query may run.</summary>
public sealed record SnapshotLimits
{
    public const int DefaultRowCap = 200;
    public const int DefaultByteBudget = 64 * 1024;

    public int RowCap { get; init; } = DefaultRowCap;

    public int ByteBudget { get; init; } = DefaultByteBudget;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>A statement the server will not run, or one DuckDB refused; the message is for the model.</summary>
public sealed class SnapshotQueryException(string message, string category) : Exception(message)
{
    /// <summary>A short, value-free label for the log line (forbidden, timeout, a DuckDB error class).</summary>
    public string Category { get; } = category;
}

/// <summary>
/// The loaded snapshot: a DuckDB file opened read-only, with external access, extension loading and
/// further configuration changes switched off before the first query. One connection, one query at a
/// time (tool calls may arrive together). Disposing deletes the database file.
/// </summary>
public sealed class ExportSnapshot : IDisposable
{
    private readonly string _directory;
    private readonly DuckDBConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    internal ExportSnapshot(string directory, string databasePath, SnapshotDescription description, SnapshotLimits limits)
    {
        _directory = directory;
        Description = description;
        Limits = limits;
        _connection = new DuckDBConnection($"Data Source={databasePath};ACCESS_MODE=READ_ONLY");
        try
        {
            _connection.Open();
            using var command = _connection.CreateCommand();
            command.CommandText = string.Join(' ',
                $"SET threads = {Math.Max(1, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture)};",
                "SET memory_limit = '2GB';",
                "SET enable_external_access = false;",
                "SET autoinstall_known_extensions = false;",
                "SET autoload_known_extensions = false;",
                "SET lock_configuration = true;");
            command.ExecuteNonQuery();
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public SnapshotDescription Description { get; }

    public SnapshotLimits Limits { get; }

    /// <summary>Runs one statement the guard has let through and reads at most what the limits allow.</summary>
    public async Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?> parameters, int rowCap, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            StatementGuard.Check(_connection, sql);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Limits.Timeout);
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(new DuckDBParameter(parameter ?? DBNull.Value));
            }

            using var cancel = timeout.Token.Register(command.Cancel);
            try
            {
                using var reader = command.ExecuteReader();
                return ResultFormatter.Read(reader, Math.Clamp(rowCap, 1, Limits.RowCap), Limits.ByteBudget, timeout.Token);
            }
            catch (Exception e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                && e is OperationCanceledException or DbException)
            {
                throw new SnapshotQueryException(
                    $"The query ran longer than {Limits.Timeout.TotalSeconds:0.#} s and was stopped. Aggregate, filter, or add a LIMIT.", "timeout");
            }
            catch (DuckDBException e)
            {
                throw new SnapshotQueryException(e.Message, Category(e.Message));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>DuckDB's error class ("Binder Error", "Permission Error"), the only part of its message fit for a log line.</summary>
    internal static string Category(string message)
    {
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        return colon is > 0 and < 40 ? message[..colon] : "error";
    }

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open elsewhere; the temp folder is private (0700) and the OS clears it.
        }
    }
}

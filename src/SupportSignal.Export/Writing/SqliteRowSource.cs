using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

using Microsoft.Data.Sqlite;

using SQLitePCL;

using SupportSignal.Export.Catalog;

namespace SupportSignal.Export.Writing;

/// <summary>
/// The SQLite fast path: steps the statement itself and hands SQLite's own UTF-8 bytes to the
/// writer, so no value becomes a .NET string. Runs on the export's connection and transaction,
/// so it reads the same snapshot. Output is byte-identical to <see cref="DataReaderRowSource"/>,
/// de-identified or not: rewritten columns read the statement through <see cref="IExportRow"/>.
/// </summary>
internal sealed class SqliteRowSource(SqliteConnection connection, Action? fastTableRead = null) : IRowSource
{
    private readonly Row _row = new();

    public Task<long> WriteRowsAsync(TablePlan plan, JsonOutput output, CancellationToken cancellationToken) =>
        ReadRowsAsync(plan, new JsonRowReceiver(output, (writer, _) => WriteRow(plan, writer, _row)), cancellationToken);

    public async Task<long> ReadRowsAsync(TablePlan plan, IRowReceiver receiver, CancellationToken cancellationToken)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(db, plan.Sql, out var statement), db);
        fastTableRead?.Invoke();
        // Interrupt stops a step that is still running when the export is cancelled.
        await using var interrupt = cancellationToken.Register(() => raw.sqlite3_interrupt(db));
        using (statement)
        {
            long rows = 0;
            while (true)
            {
                var rc = raw.sqlite3_step(statement);
                if (rc == raw.SQLITE_DONE)
                {
                    return rows;
                }

                if (rc != raw.SQLITE_ROW)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Check(rc, db);
                }

                _row.MoveTo(statement);
                receiver.Receive(_row);
                rows++;
                if (receiver.ShouldFlush)
                {
                    await receiver.FlushAsync(cancellationToken);
                }

                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private static void WriteRow(TablePlan plan, Utf8JsonWriter writer, Row row)
    {
        var (statement, handle) = (row.Statement, row.Handle);
        writer.WriteStartObject();
        var kinds = plan.Kinds;
        var transforms = plan.Transforms;
        for (var i = 0; i < kinds.Length; i++)
        {
            writer.WritePropertyName(plan.Names[i]);
            var type = SqliteColumns.Type(statement, handle, i);
            if (type == raw.SQLITE_NULL)
            {
                writer.WriteNullValue();
                continue;
            }

            if (transforms?[i] is { } transform)
            {
                transform(writer, row, i);
                continue;
            }

            switch (kinds[i])
            {
                case ValueKind.Text:
                    JsonValues.WriteText(writer, SqliteColumns.Bytes(statement, handle, i));
                    break;
                case ValueKind.Json:
                    JsonValues.WriteJsonText(writer, SqliteColumns.Bytes(statement, handle, i));
                    break;
                case ValueKind.Guid when type == raw.SQLITE_TEXT:
                    JsonValues.WriteGuidText(writer, SqliteColumns.Bytes(statement, handle, i));
                    break;
                case ValueKind.Guid:
                    writer.WriteStringValue(new Guid(SqliteColumns.Bytes(statement, handle, i)));
                    break;
                case ValueKind.DateTime:
                    JsonValues.WriteDateTimeText(writer, SqliteColumns.Bytes(statement, handle, i));
                    break;
                case ValueKind.DateTimeOffset:
                    JsonValues.WriteDateTimeOffsetText(writer, SqliteColumns.Bytes(statement, handle, i));
                    break;
                case ValueKind.Date:
                    JsonValues.WriteText(writer, SqliteColumns.Bytes(statement, handle, i));
                    break;
                case ValueKind.Boolean:
                    writer.WriteBooleanValue(SqliteColumns.Int64(statement, handle, i) != 0);
                    break;
                case ValueKind.Int32:
                case ValueKind.Int64:
                    writer.WriteNumberValue(SqliteColumns.Int64(statement, handle, i));
                    break;
                case ValueKind.Double:
                    writer.WriteNumberValue(SqliteColumns.Double(statement, handle, i));
                    break;
                case ValueKind.Decimal:
                    JsonValues.WriteDecimalText(writer, SqliteColumns.Bytes(statement, handle, i));
                    break;
                case ValueKind.Binary:
                    writer.WriteBase64StringValue(SqliteColumns.Bytes(statement, handle, i));
                    break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The statement's current row, read as the generic reader would read it.</summary>
    private sealed class Row : IExportRow
    {
        private sqlite3_stmt? _statement;

        public long Position { get; private set; } = -1;

        public void MoveTo(sqlite3_stmt statement)
        {
            if (!ReferenceEquals(statement, _statement))
            {
                // The statement outlives every read of its rows (ReadRowsAsync disposes it after the last).
                _statement = statement;
                Handle = statement.DangerousGetHandle();
            }

            Position++;
        }

        public sqlite3_stmt Statement => _statement ?? throw new InvalidOperationException("No row.");

        /// <summary>The statement's raw handle, for <see cref="SqliteColumns"/>.</summary>
        public nint Handle { get; private set; }

        public bool IsNull(int ordinal) => SqliteColumns.Type(Statement, Handle, ordinal) == raw.SQLITE_NULL;

        public ReadOnlySpan<byte> GetUtf8(int ordinal) => SqliteColumns.Bytes(Statement, Handle, ordinal);

        public string GetString(int ordinal) => Encoding.UTF8.GetString(GetUtf8(ordinal));

        public Guid GetGuid(int ordinal)
        {
            var bytes = GetUtf8(ordinal);
            if (SqliteColumns.Type(Statement, Handle, ordinal) != raw.SQLITE_TEXT)
            {
                return new Guid(bytes);
            }

            return Utf8Parser.TryParse(bytes, out Guid value, out var consumed) && consumed == bytes.Length
                ? value
                : Guid.Parse(Encoding.UTF8.GetString(bytes));
        }

        public DateOnly GetDate(int ordinal) => DateOnly.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public bool GetBoolean(int ordinal) => SqliteColumns.Int64(Statement, Handle, ordinal) != 0;

        public int GetInt32(int ordinal) => checked((int)SqliteColumns.Int64(Statement, Handle, ordinal));

        public long GetInt64(int ordinal) => SqliteColumns.Int64(Statement, Handle, ordinal);

        public double GetDouble(int ordinal) => SqliteColumns.Double(Statement, Handle, ordinal);

        public decimal GetDecimal(int ordinal) => JsonValues.ParseDecimalText(GetUtf8(ordinal));

        public DateTime GetUtcDateTime(int ordinal) => JsonValues.ParseDateTimeText(GetUtf8(ordinal));

        public DateTime GetUtcDateTimeOffset(int ordinal) => JsonValues.ParseDateTimeOffsetText(GetUtf8(ordinal)).UtcDateTime;

        public byte[] GetBytes(int ordinal) => GetUtf8(ordinal).ToArray();
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }
}

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
        ReadRowsAsync(plan, new JsonRowReceiver(output, (writer, _) => WriteRow(_row.Statement, plan, writer, _row)), cancellationToken);

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

    private static void WriteRow(sqlite3_stmt statement, TablePlan plan, Utf8JsonWriter writer, Row row)
    {
        writer.WriteStartObject();
        var kinds = plan.Kinds;
        var transforms = plan.Transforms;
        for (var i = 0; i < kinds.Length; i++)
        {
            writer.WritePropertyName(plan.Names[i]);
            var type = raw.sqlite3_column_type(statement, i);
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
                    JsonValues.WriteText(writer, raw.sqlite3_column_blob(statement, i));
                    break;
                case ValueKind.Json:
                    JsonValues.WriteJsonText(writer, raw.sqlite3_column_blob(statement, i));
                    break;
                case ValueKind.Guid when type == raw.SQLITE_TEXT:
                    JsonValues.WriteGuidText(writer, raw.sqlite3_column_blob(statement, i));
                    break;
                case ValueKind.Guid:
                    writer.WriteStringValue(new Guid(raw.sqlite3_column_blob(statement, i)));
                    break;
                case ValueKind.DateTime:
                    JsonValues.WriteDateTimeText(writer, raw.sqlite3_column_blob(statement, i));
                    break;
                case ValueKind.DateTimeOffset:
                    JsonValues.WriteDateTimeOffsetText(writer, raw.sqlite3_column_blob(statement, i));
                    break;
                case ValueKind.Date:
                    writer.WriteStringValue(raw.sqlite3_column_blob(statement, i));
                    break;
                case ValueKind.Boolean:
                    writer.WriteBooleanValue(raw.sqlite3_column_int64(statement, i) != 0);
                    break;
                case ValueKind.Int32:
                case ValueKind.Int64:
                    writer.WriteNumberValue(raw.sqlite3_column_int64(statement, i));
                    break;
                case ValueKind.Double:
                    writer.WriteNumberValue(raw.sqlite3_column_double(statement, i));
                    break;
                case ValueKind.Decimal:
                    JsonValues.WriteDecimalText(writer, raw.sqlite3_column_blob(statement, i));
                    break;
                case ValueKind.Binary:
                    writer.WriteBase64StringValue(raw.sqlite3_column_blob(statement, i));
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
            _statement = statement;
            Position++;
        }

        public sqlite3_stmt Statement => _statement ?? throw new InvalidOperationException("No row.");

        public bool IsNull(int ordinal) => raw.sqlite3_column_type(Statement, ordinal) == raw.SQLITE_NULL;

        public ReadOnlySpan<byte> GetUtf8(int ordinal) => raw.sqlite3_column_blob(Statement, ordinal);

        public string GetString(int ordinal) => Encoding.UTF8.GetString(GetUtf8(ordinal));

        public Guid GetGuid(int ordinal)
        {
            var bytes = GetUtf8(ordinal);
            if (raw.sqlite3_column_type(Statement, ordinal) != raw.SQLITE_TEXT)
            {
                return new Guid(bytes);
            }

            return Utf8Parser.TryParse(bytes, out Guid value, out var consumed) && consumed == bytes.Length
                ? value
                : Guid.Parse(Encoding.UTF8.GetString(bytes));
        }

        public DateOnly GetDate(int ordinal) => DateOnly.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public bool GetBoolean(int ordinal) => raw.sqlite3_column_int64(Statement, ordinal) != 0;

        public int GetInt32(int ordinal) => checked((int)raw.sqlite3_column_int64(Statement, ordinal));

        public long GetInt64(int ordinal) => raw.sqlite3_column_int64(Statement, ordinal);

        public double GetDouble(int ordinal) => raw.sqlite3_column_double(Statement, ordinal);

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

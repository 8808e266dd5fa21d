using System.Data;
using System.Data.Common;
using System.Text.Json;

using SupportSignal.Export.Catalog;
using SupportSignal.Export.Deidentification;
using SupportSignal.Export.Reading;

namespace SupportSignal.Export.Writing;

/// <summary>
/// The generic path: a plain <see cref="DbDataReader"/>, for every provider. When the provider hands
/// out a text column's stored UTF-8 bytes through <see cref="DbDataReader.GetBytes"/> (PostgreSQL's
/// binary text format is UTF-8), <paramref name="textAsUtf8"/> copies them into one reused buffer for
/// the writer, as the SQLite fast path does, instead of decoding every value to a .NET string and
/// encoding it back; the output is the same, byte for byte.
/// </summary>
internal sealed class DataReaderRowSource(Func<string, DbCommand> createCommand, bool textAsUtf8 = false) : IRowSource
{
    private readonly Row _row = new(textAsUtf8);

    public Task<long> WriteRowsAsync(TablePlan plan, JsonOutput output, CancellationToken cancellationToken) =>
        ReadRowsAsync(plan, new JsonRowReceiver(output, (writer, _) => WriteRow(_row.Reader, plan, writer, _row, textAsUtf8)), cancellationToken);

    public async Task<long> ReadRowsAsync(TablePlan plan, IRowReceiver receiver, CancellationToken cancellationToken)
    {
        await using var command = createCommand(plan.Sql);
        // A rewritten column may read another of its row (a family name needs the given name).
        var behavior = plan.Transforms is null ? CommandBehavior.SequentialAccess : CommandBehavior.Default;
        await using var reader = await command.ExecuteReaderAsync(behavior, cancellationToken);
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            _row.MoveTo(reader);
            receiver.Receive(_row);
            rows++;
            if (receiver.ShouldFlush)
            {
                await receiver.FlushAsync(cancellationToken);
            }
        }

        return rows;
    }

    private static void WriteRow(DbDataReader reader, TablePlan plan, Utf8JsonWriter writer, Row row, bool textAsUtf8)
    {
        writer.WriteStartObject();
        var kinds = plan.Kinds;
        var transforms = plan.Transforms;
        for (var i = 0; i < kinds.Length; i++)
        {
            writer.WritePropertyName(plan.Names[i]);
            if (reader.IsDBNull(i))
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
                case ValueKind.Text when textAsUtf8:
                    JsonValues.WriteText(writer, row.GetUtf8(i));
                    break;
                case ValueKind.Text:
                    writer.WriteStringValue(reader.GetString(i));
                    break;
                case ValueKind.Json when textAsUtf8:
                    JsonValues.WriteJsonText(writer, row.GetUtf8(i));
                    break;
                case ValueKind.Json:
                    JsonValues.WriteJsonText(writer, reader.GetString(i));
                    break;
                case ValueKind.Guid:
                    writer.WriteStringValue(reader.GetGuid(i));
                    break;
                case ValueKind.DateTime:
                    JsonValues.WriteDateTime(writer, reader.GetDateTime(i));
                    break;
                case ValueKind.DateTimeOffset:
                    JsonValues.WriteDateTimeOffset(writer, reader.GetFieldValue<DateTimeOffset>(i));
                    break;
                case ValueKind.Date:
                    JsonValues.WriteDate(writer, reader.GetFieldValue<DateOnly>(i));
                    break;
                case ValueKind.Boolean:
                    writer.WriteBooleanValue(reader.GetBoolean(i));
                    break;
                case ValueKind.Int32:
                    writer.WriteNumberValue(reader.GetInt32(i));
                    break;
                case ValueKind.Int64:
                    writer.WriteNumberValue(reader.GetInt64(i));
                    break;
                case ValueKind.Double:
                    writer.WriteNumberValue(reader.GetDouble(i));
                    break;
                case ValueKind.Decimal:
                    JsonValues.WriteDecimal(writer, reader.GetDecimal(i));
                    break;
                case ValueKind.Binary:
                    writer.WriteBase64StringValue(reader.GetFieldValue<byte[]>(i));
                    break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The reader's current row; text comes as UTF-8 in one reused buffer (copied, or encoded from a string).</summary>
    private sealed class Row(bool textAsUtf8) : IExportRow
    {
        private DbDataReader? _reader;
        private byte[] _utf8 = new byte[1024];

        public long Position { get; private set; } = -1;

        public void MoveTo(DbDataReader reader)
        {
            _reader = reader;
            Position++;
        }

        public DbDataReader Reader => _reader ?? throw new InvalidOperationException("No row.");

        public bool IsNull(int ordinal) => Reader.IsDBNull(ordinal);

        public string GetString(int ordinal) => Reader.GetString(ordinal);

        public ReadOnlySpan<byte> GetUtf8(int ordinal)
        {
            if (textAsUtf8)
            {
                var length = (int)Reader.GetBytes(ordinal, 0, null, 0, 0);
                Reserve(length);
                return _utf8.AsSpan(0, (int)Reader.GetBytes(ordinal, 0, _utf8, 0, length));
            }

            var text = Reader.GetString(ordinal);
            Reserve(System.Text.Encoding.UTF8.GetMaxByteCount(text.Length));
            return _utf8.AsSpan(0, System.Text.Encoding.UTF8.GetBytes(text, _utf8));
        }

        private void Reserve(int bytes)
        {
            if (_utf8.Length < bytes)
            {
                _utf8 = new byte[Math.Max(bytes, _utf8.Length * 2)];
            }
        }

        public Guid GetGuid(int ordinal) => Reader.GetGuid(ordinal);

        public DateOnly GetDate(int ordinal) => Reader.GetFieldValue<DateOnly>(ordinal);

        public bool GetBoolean(int ordinal) => Reader.GetBoolean(ordinal);

        public int GetInt32(int ordinal) => Reader.GetInt32(ordinal);

        public long GetInt64(int ordinal) => Reader.GetInt64(ordinal);

        public double GetDouble(int ordinal) => Reader.GetDouble(ordinal);

        public decimal GetDecimal(int ordinal) => Reader.GetDecimal(ordinal);

        public DateTime GetUtcDateTime(int ordinal) => DateTime.SpecifyKind(Reader.GetDateTime(ordinal), DateTimeKind.Utc);

        public DateTime GetUtcDateTimeOffset(int ordinal) => Reader.GetFieldValue<DateTimeOffset>(ordinal).UtcDateTime;

        public byte[] GetBytes(int ordinal) => Reader.GetFieldValue<byte[]>(ordinal);
    }
}

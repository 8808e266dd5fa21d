using System.Data;
using System.Data.Common;
using System.Text.Json;

using SupportSignal.Export.Catalog;
using SupportSignal.Export.Deidentification;
using SupportSignal.Export.Reading;

namespace SupportSignal.Export.Writing;

/// <summary>The generic path: a plain <see cref="DbDataReader"/>, for every provider.</summary>
internal sealed class DataReaderRowSource(Func<string, DbCommand> createCommand) : IRowSource
{
    private readonly Row _row = new();

    public async Task<long> WriteRowsAsync(TablePlan plan, JsonOutput output, CancellationToken cancellationToken)
    {
        await using var command = createCommand(plan.Sql);
        // A rewritten column may read another of its row (a family name needs the given name).
        var behavior = plan.Transforms is null ? CommandBehavior.SequentialAccess : CommandBehavior.Default;
        await using var reader = await command.ExecuteReaderAsync(behavior, cancellationToken);
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            _row.MoveTo(reader);
            WriteRow(reader, plan, output.Writer, _row);
            output.EndRow();
            rows++;
            if (output.ShouldFlush)
            {
                await output.FlushAsync(cancellationToken);
            }
        }

        return rows;
    }

    private static void WriteRow(DbDataReader reader, TablePlan plan, Utf8JsonWriter writer, Row row)
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
                case ValueKind.Text:
                    writer.WriteStringValue(reader.GetString(i));
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

    /// <summary>The reader's current row; text is encoded to UTF-8 in one reused buffer.</summary>
    private sealed class Row : IExportRow
    {
        private DbDataReader? _reader;
        private byte[] _utf8 = new byte[1024];

        public long Position { get; private set; } = -1;

        public void MoveTo(DbDataReader reader)
        {
            _reader = reader;
            Position++;
        }

        private DbDataReader Reader => _reader ?? throw new InvalidOperationException("No row.");

        public bool IsNull(int ordinal) => Reader.IsDBNull(ordinal);

        public string GetString(int ordinal) => Reader.GetString(ordinal);

        public ReadOnlySpan<byte> GetUtf8(int ordinal)
        {
            var text = Reader.GetString(ordinal);
            var needed = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
            if (_utf8.Length < needed)
            {
                _utf8 = new byte[Math.Max(needed, _utf8.Length * 2)];
            }

            return _utf8.AsSpan(0, System.Text.Encoding.UTF8.GetBytes(text, _utf8));
        }

        public Guid GetGuid(int ordinal) => Reader.GetGuid(ordinal);

        public DateOnly GetDate(int ordinal) => Reader.GetFieldValue<DateOnly>(ordinal);
    }
}

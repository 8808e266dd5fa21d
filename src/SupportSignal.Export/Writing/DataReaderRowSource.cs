using System.Data;
using System.Data.Common;
using System.Text.Json;

using SupportSignal.Export.Catalog;
using SupportSignal.Export.Deidentification;

namespace SupportSignal.Export.Writing;

/// <summary>The generic path: a plain <see cref="DbDataReader"/>, for every provider.</summary>
internal sealed class DataReaderRowSource(DbConnection connection, DbTransaction transaction) : IRowSource
{
    public async Task<long> WriteRowsAsync(TablePlan plan, JsonOutput output, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = plan.Sql;
        command.CommandTimeout = 0;
        // A rewritten column may read another of its row (a family name needs the given name).
        var behavior = plan.Transforms is null ? CommandBehavior.SequentialAccess : CommandBehavior.Default;
        await using var reader = await command.ExecuteReaderAsync(behavior, cancellationToken);
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            WriteRow(reader, plan, output.Writer);
            output.EndRow();
            rows++;
            if (output.ShouldFlush)
            {
                await output.FlushAsync(cancellationToken);
            }
        }

        return rows;
    }

    private static void WriteRow(DbDataReader reader, TablePlan plan, Utf8JsonWriter writer)
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
                transform(writer, reader, i);
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
                    writer.WriteNumberValue(reader.GetDecimal(i));
                    break;
                case ValueKind.Binary:
                    writer.WriteBase64StringValue(reader.GetFieldValue<byte[]>(i));
                    break;
            }
        }

        writer.WriteEndObject();
    }
}

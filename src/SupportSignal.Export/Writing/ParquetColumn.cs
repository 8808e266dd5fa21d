using System.Buffers;
using System.Globalization;
using System.Text.Json;

using Parquet;
using Parquet.Meta;
using Parquet.Schema;

using SupportSignal.Export.Catalog;

namespace SupportSignal.Export.Writing;

/// <summary>
/// One column of a Parquet row group being filled: its typed field (from the column's kind,
/// nullability and digits in the model) and the values of the rows read so far, parsed from the
/// canonical JSON value the row source wrote (docs/export-format.md, "data").
/// </summary>
internal abstract class ParquetColumn
{
    protected ParquetColumn(DataField field, string where)
    {
        Field = field;
        Where = where;
    }

    public DataField Field { get; }

    /// <summary>
    /// A change to the column's schema element that Parquet.Net 6.1 cannot be asked for (the JSON logical
    /// type; a timestamp written as its INT64 microseconds), made before the footer is written; null for none.
    /// </summary>
    public Action<SchemaElement>? Retype { get; init; }

    /// <summary><c>table.column</c>, for messages.</summary>
    protected string Where { get; }

    /// <summary>Adds the row's value; the reader is on the value's first token.</summary>
    public abstract void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> row);

    public abstract Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken);

    public abstract void Clear();

    public static ParquetColumn For(TablePlan plan, int ordinal)
    {
        var column = plan.Columns[ordinal];
        var where = $"{plan.Table.Name}.{column.Name}";
        // A stub reads a personal or free-text column as null whatever the model says.
        var nullable = column.Nullable || plan.Blanked[ordinal];
        // A de-identifying transform writes a string (a birth date becomes its year): the column holds that string.
        var kind = plan.Transforms?[ordinal] is not null && column.Kind != ValueKind.Json ? ValueKind.Text : column.Kind;
        var name = column.Name;
        return kind switch
        {
            ValueKind.Json => new StringColumn(new DataField(name, typeof(string), nullable), where, json: true) { Retype = AsJson },
            // Parquet.Net 6.1 writes a microsecond timestamp's min/max statistics in milliseconds, and DuckDB
            // skips row groups by them: the microseconds go in as INT64 values, typed TIMESTAMP(UTC, MICROS).
            ValueKind.DateTime or ValueKind.DateTimeOffset => new ValueColumn<long>(
                new DataField(name, typeof(long), nullable), where, ParquetValues.UnixMicroseconds)
            { Retype = AsUtcTimestamp },
            ValueKind.Date => new ValueColumn<DateOnly>(new DataField(name, typeof(DateOnly), nullable), where, ParquetValues.Date),
            ValueKind.Boolean => new ValueColumn<bool>(new DataField(name, typeof(bool), nullable), where, (ref Utf8JsonReader r) => r.GetBoolean()),
            ValueKind.Int32 => new ValueColumn<int>(new DataField(name, typeof(int), nullable), where, (ref Utf8JsonReader r) => r.GetInt32()),
            ValueKind.Int64 => new ValueColumn<long>(new DataField(name, typeof(long), nullable), where, (ref Utf8JsonReader r) => r.GetInt64()),
            ValueKind.Double => new ValueColumn<double>(new DataField(name, typeof(double), nullable), where, (ref Utf8JsonReader r) => r.GetDouble()),
            ValueKind.Decimal => Decimal(column, name, nullable, where),
            ValueKind.Binary => new ValueColumn<ReadOnlyMemory<byte>>(
                new DataField(name, typeof(byte[]), nullable), where, (ref Utf8JsonReader r) => r.GetBytesFromBase64()),
            // Text, and GUIDs as their lowercase text: every reader (Spark included) agrees on a string.
            _ => new StringColumn(new DataField(name, typeof(string), nullable), where, json: false),
        };
    }

    private static ValueColumn<decimal> Decimal(ExportColumn column, string name, bool nullable, string where)
    {
        var (precision, scale) = column.DecimalDigits ?? (18, 2);
        return new ValueColumn<decimal>(new DecimalDataField(name, precision, scale, isNullable: nullable), where, (ref Utf8JsonReader r) =>
        {
            var value = r.GetDecimal();
            // Parquet's DECIMAL holds exactly `scale` digits after the point: never round a stored value silently.
            return value.Scale <= scale || decimal.Round(value, scale) == value
                ? value
                : throw new InvalidOperationException($"{where}: a value has more than the column's {scale} decimal places, which Parquet's DECIMAL({precision},{scale}) cannot hold.");
        });
    }

    private static void AsJson(SchemaElement element)
    {
        element.LogicalType = new LogicalType { JSON = new JsonType() };
        element.ConvertedType = ConvertedType.JSON;
    }

    private static void AsUtcTimestamp(SchemaElement element)
    {
        element.LogicalType = new LogicalType { TIMESTAMP = new TimestampType { IsAdjustedToUTC = true, Unit = new TimeUnit { MICROS = new MicroSeconds() } } };
        element.ConvertedType = ConvertedType.TIMESTAMP_MICROS;
    }

    protected InvalidOperationException NullInRequiredColumn() => new($"{Where}: null in a column the model declares required.");
}

internal delegate T JsonValueParser<T>(ref Utf8JsonReader reader);

/// <summary>A column of structs (numbers, booleans, timestamps, dates, decimals, bytes).</summary>
internal sealed class ValueColumn<T>(DataField field, string where, JsonValueParser<T> parse) : ParquetColumn(field, where)
    where T : struct
{
    private T?[] _values = new T?[1024];
    private int _count;

    public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> row)
    {
        if (_count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[_count++] = reader.TokenType == JsonTokenType.Null ? null : parse(ref reader);
    }

    public override async Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
    {
        if (Field.IsNullable)
        {
            await group.WriteAsync(Field, new ReadOnlyMemory<T?>(_values, 0, _count), cancellationToken: cancellationToken);
            return;
        }

        var required = ArrayPool<T>.Shared.Rent(_count);
        try
        {
            for (var i = 0; i < _count; i++)
            {
                required[i] = _values[i] ?? throw NullInRequiredColumn();
            }

            await group.WriteAsync(Field, new ReadOnlyMemory<T>(required, 0, _count), cancellationToken: cancellationToken);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(required);
        }
    }

    public override void Clear() => _count = 0;
}

/// <summary>
/// A string column: text and GUIDs as the JSON export writes them, unescaped; a JSON-text column as
/// the JSON text of the export's value (the stored document when it is JSON, else a JSON string).
/// The characters of a row group live in one reused buffer, not one .NET string per value.
/// </summary>
internal sealed class StringColumn(DataField field, string where, bool json) : ParquetColumn(field, where)
{
    private char[] _chars = new char[64 * 1024];
    private int _used;
    private (int Start, int Length)[] _values = new (int, int)[1024];
    private int _count;

    public override void Append(ref Utf8JsonReader reader, ReadOnlySpan<byte> row)
    {
        if (_count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            _values[_count++] = (-1, 0);
            return;
        }

        var start = (int)reader.TokenStartIndex;
        if (json || reader.TokenType != JsonTokenType.String)
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            // UTF-8 never needs more UTF-16 code units than it has bytes.
            var raw = row[start..(int)reader.BytesConsumed];
            _values[_count++] = (_used, System.Text.Encoding.UTF8.GetChars(raw, Reserve(raw.Length)));
        }
        else
        {
            _values[_count++] = (_used, reader.CopyString(Reserve(reader.ValueSpan.Length)));
        }

        _used += _values[_count - 1].Length;
    }

    public override async Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
    {
        if (Field.IsNullable)
        {
            var values = ArrayPool<ReadOnlyMemory<char>?>.Shared.Rent(_count);
            try
            {
                for (var i = 0; i < _count; i++)
                {
                    var (start, length) = _values[i];
                    // Not `? null :`, which would turn null into an empty char[] and so an empty string.
                    values[i] = start < 0 ? default(ReadOnlyMemory<char>?) : _chars.AsMemory(start, length);
                }

                await group.WriteAsync(Field, new ReadOnlyMemory<ReadOnlyMemory<char>?>(values, 0, _count), cancellationToken: cancellationToken);
            }
            finally
            {
                ArrayPool<ReadOnlyMemory<char>?>.Shared.Return(values, clearArray: true);
            }

            return;
        }

        var required = ArrayPool<ReadOnlyMemory<char>>.Shared.Rent(_count);
        try
        {
            for (var i = 0; i < _count; i++)
            {
                var (start, length) = _values[i];
                required[i] = start < 0 ? throw NullInRequiredColumn() : _chars.AsMemory(start, length);
            }

            await group.WriteAsync(Field, new ReadOnlyMemory<ReadOnlyMemory<char>>(required, 0, _count), cancellationToken: cancellationToken);
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<char>>.Shared.Return(required, clearArray: true);
        }
    }

    public override void Clear()
    {
        _count = 0;
        _used = 0;
    }

    private Span<char> Reserve(int length)
    {
        if (_used + length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + length));
        }

        return _chars.AsSpan(_used, length);
    }
}

/// <summary>The canonical JSON forms of timestamps and dates, parsed back without a string per value.</summary>
internal static class ParquetValues
{
    /// <summary>A timestamp as microseconds since 1970-01-01 UTC (a stored 100-ns remainder is dropped).</summary>
    public static long UnixMicroseconds(ref Utf8JsonReader reader) =>
        Math.DivRem(Timestamp(ref reader).Ticks - DateTime.UnixEpoch.Ticks, 10, out var remainder) - (remainder < 0 ? 1 : 0);

    /// <summary><c>yyyy-MM-ddTHH:mm:ss[.f{1,7}]Z</c> as a UTC <see cref="DateTime"/>.</summary>
    public static DateTime Timestamp(ref Utf8JsonReader reader)
    {
        var t = reader.ValueSpan;
        if (!reader.ValueIsEscaped && t.Length is >= 20 and <= 28 && t[4] == '-' && t[7] == '-' && t[10] == 'T' && t[13] == ':'
            && t[16] == ':' && t[^1] == 'Z' && (t.Length == 20 || (t[19] == '.' && t.Length > 21)))
        {
            long fraction = 0;
            var digits = 0;
            for (var i = 20; i < t.Length - 1; i++, digits++)
            {
                fraction = (fraction * 10) + Digit(t[i]);
            }

            for (; digits < 7; digits++)
            {
                fraction *= 10;
            }

            var seconds = new DateTime(
                Number(t, 0, 4), Number(t, 5, 2), Number(t, 8, 2), Number(t, 11, 2), Number(t, 14, 2), Number(t, 17, 2), DateTimeKind.Utc);
            return seconds.AddTicks(fraction);
        }

        return DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    /// <summary><c>yyyy-MM-dd</c>.</summary>
    public static DateOnly Date(ref Utf8JsonReader reader)
    {
        var t = reader.ValueSpan;
        return !reader.ValueIsEscaped && t.Length == 10 && t[4] == '-' && t[7] == '-'
            ? new DateOnly(Number(t, 0, 4), Number(t, 5, 2), Number(t, 8, 2))
            : DateOnly.Parse(reader.GetString()!, CultureInfo.InvariantCulture);
    }

    private static int Number(ReadOnlySpan<byte> text, int start, int length)
    {
        var value = 0;
        for (var i = start; i < start + length; i++)
        {
            value = (value * 10) + Digit(text[i]);
        }

        return value;
    }

    private static int Digit(byte c) =>
        (uint)(c - '0') <= 9 ? c - '0' : throw new FormatException("Not a canonical timestamp or date.");
}

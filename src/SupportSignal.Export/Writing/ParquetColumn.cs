using System.Buffers;
using System.Text.Json;

using Parquet;
using Parquet.Meta;
using Parquet.Schema;

using SupportSignal.Data.Classification;
using SupportSignal.Export.Catalog;
using SupportSignal.Export.Deidentification;

namespace SupportSignal.Export.Writing;

/// <summary>
/// One column of a Parquet row group being filled: its typed field (from the column's kind,
/// nullability and digits in the model) and the values of the rows read so far, taken from the row
/// source's typed values (the JSON export's values, docs/export-format.md, "data"). A JSON-text or
/// de-identified column takes the JSON value the JSON export writes, through the same code.
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

    // Parquet's definition levels of a nullable column, one per row: 1 for a value, 0 for null.
    private int[] _levels = PooledArrays.Rent<int>(1024);

    /// <summary>Rows of the row group so far.</summary>
    protected int Rows { get; private set; }

    /// <summary>Adds the row's value, which is not null.</summary>
    public abstract void Append(IExportRow row, int ordinal);

    public void AppendNull()
    {
        if (!Field.IsNullable)
        {
            throw NullInRequiredColumn();
        }

        Level(0);
    }

    /// <summary>Counts a row that has a value (each <see cref="Append"/> does, once).</summary>
    protected void Present() => Level(1);

    private void Level(int level)
    {
        if (Field.IsNullable)
        {
            if (Rows == _levels.Length)
            {
                PooledArrays.Grow(ref _levels, Rows, Rows + 1);
            }

            _levels[Rows] = level;
        }

        Rows++;
    }

    /// <summary>The definition levels of the rows so far; null for a required column, which has none.</summary>
    // Not `: null`, which converts to an empty array's memory rather than no levels.
    protected ReadOnlyMemory<int>? Levels => Field.IsNullable ? _levels.AsMemory(0, Rows) : default(ReadOnlyMemory<int>?);

    /// <summary>The memory the values of the row group so far take (text as UTF-16), to bound a row group.</summary>
    public long BufferedBytes => (4L * Rows) + ValueBytes;

    protected abstract long ValueBytes { get; }

    public abstract Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken);

    /// <summary>Empties the buffers for the next row group (they keep their size).</summary>
    public void Clear()
    {
        Rows = 0;
        ClearValues();
    }

    protected abstract void ClearValues();

    /// <summary>Returns the buffers to the shared pool, where the next table's columns find them.</summary>
    public void Release()
    {
        PooledArrays.Return(ref _levels);
        ReleaseValues();
        Clear();
    }

    protected abstract void ReleaseValues();

    public static ParquetColumn For(TablePlan plan, int ordinal)
    {
        var column = plan.Columns[ordinal];
        var where = $"{plan.Table.Name}.{column.Name}";
        // A stub reads a personal or free-text column as null whatever the model says.
        var nullable = column.Nullable || plan.Blanked[ordinal];
        // A de-identifying transform writes a string (a birth date becomes its year): the column holds that string.
        var transform = plan.Transforms?[ordinal];
        var kind = transform is not null && column.Kind != ValueKind.Json ? ValueKind.Text : column.Kind;
        var name = column.Name;
        return kind switch
        {
            // JSON text, and any rewritten value, is the JSON export's value: written by the same code and kept as its JSON text.
            ValueKind.Json => new StringColumn(new DataField(name, typeof(string), nullable), where, StringColumn.AsJson(transform))
            { Retype = AsJson },
            _ when transform is not null => new StringColumn(new DataField(name, typeof(string), nullable), where, StringColumn.AsJsonString(transform)),
            // Parquet.Net 6.1 writes a microsecond timestamp's min/max statistics in milliseconds, and DuckDB
            // skips row groups by them: the microseconds go in as INT64 values, typed TIMESTAMP(UTC, MICROS).
            ValueKind.DateTime => new ValueColumn<long>(
                new DataField(name, typeof(long), nullable), where, (r, i) => UnixMicroseconds(r.GetUtcDateTime(i)))
            { Retype = AsUtcTimestamp },
            ValueKind.DateTimeOffset => new ValueColumn<long>(
                new DataField(name, typeof(long), nullable), where, (r, i) => UnixMicroseconds(r.GetUtcDateTimeOffset(i)))
            { Retype = AsUtcTimestamp },
            ValueKind.Date => new ValueColumn<DateOnly>(new DataField(name, typeof(DateOnly), nullable), where, (r, i) => r.GetDate(i)),
            ValueKind.Boolean => new ValueColumn<bool>(new DataField(name, typeof(bool), nullable), where, (r, i) => r.GetBoolean(i)),
            ValueKind.Int32 => new ValueColumn<int>(new DataField(name, typeof(int), nullable), where, (r, i) => r.GetInt32(i)),
            ValueKind.Int64 => new ValueColumn<long>(new DataField(name, typeof(long), nullable), where, (r, i) => r.GetInt64(i)),
            ValueKind.Double => new ValueColumn<double>(new DataField(name, typeof(double), nullable), where, (r, i) => r.GetDouble(i)),
            ValueKind.Decimal => Decimal(column, name, nullable, where),
            ValueKind.Binary => new ValueColumn<ReadOnlyMemory<byte>>(
                new DataField(name, typeof(byte[]), nullable), where, (r, i) => r.GetBytes(i)),
            // GUIDs as their lowercase text: every reader (Spark included) agrees on a string.
            ValueKind.Guid => new StringColumn(new DataField(name, typeof(string), nullable), where, StringColumn.Guid),
            // Prose goes in as the UTF-8 it is stored as; short text (enum names, codes) as strings, which Parquet.Net can dictionary-encode.
            _ when column.Classification == DataClass.FreeText => new ProseColumn(new DataField(name, typeof(byte[]), nullable), where) { Retype = AsString },
            _ => new StringColumn(new DataField(name, typeof(string), nullable), where, StringColumn.Text),
        };
    }

    /// <summary>A timestamp as microseconds since 1970-01-01 UTC (a stored 100-ns remainder is dropped).</summary>
    private static long UnixMicroseconds(DateTime utc) =>
        Math.DivRem(utc.Ticks - DateTime.UnixEpoch.Ticks, 10, out var remainder) - (remainder < 0 ? 1 : 0);

    private static ValueColumn<decimal> Decimal(ExportColumn column, string name, bool nullable, string where)
    {
        var (precision, scale) = column.DecimalDigits ?? (18, 2);
        return new ValueColumn<decimal>(new DecimalDataField(name, precision, scale, isNullable: nullable), where, (r, i) =>
        {
            var value = r.GetDecimal(i);
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

    private static void AsString(SchemaElement element)
    {
        element.LogicalType = new LogicalType { STRING = new StringType() };
        element.ConvertedType = ConvertedType.UTF8;
    }

    private static void AsUtcTimestamp(SchemaElement element)
    {
        element.LogicalType = new LogicalType { TIMESTAMP = new TimestampType { IsAdjustedToUTC = true, Unit = new TimeUnit { MICROS = new MicroSeconds() } } };
        element.ConvertedType = ConvertedType.TIMESTAMP_MICROS;
    }

    protected InvalidOperationException NullInRequiredColumn() => new($"{Where}: null in a column the model declares required.");
}

/// <summary>
/// A prose column (the model's free text): each value's UTF-8 as stored, copied into one reused buffer
/// and handed to Parquet.Net as bytes, typed STRING. The JSON export's text, without the round trip
/// through UTF-16 that a string column takes: a stored value that is not valid UTF-8 becomes what the
/// JSON export writes for it (U+FFFD for each invalid sequence). Parquet.Net neither dictionary-encodes
/// nor keeps min/max statistics for bytes, which prose gains nothing from.
/// </summary>
internal sealed class ProseColumn(DataField field, string where) : TextColumn<byte>(field, where)
{
    public override void Append(IExportRow row, int ordinal)
    {
        var utf8 = row.GetUtf8(ordinal);
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            utf8 = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(utf8));
        }

        utf8.CopyTo(Reserve(utf8.Length));
        Add(utf8.Length);
    }
}

/// <summary>
/// A column of variable-length values (a string column's characters, a prose column's UTF-8 bytes):
/// the values of a row group live in one reused buffer, not one object per value, and go to
/// Parquet.Net as slices of it.
/// </summary>
internal abstract class TextColumn<T>(DataField field, string where) : ParquetColumn(field, where)
{
    private T[] _buffer = PooledArrays.Rent<T>(64 * 1024);
    private int _used;
    private (int Start, int Length)[] _values = PooledArrays.Rent<(int, int)>(1024);
    private int _present;
    private ReadOnlyMemory<T>[] _memories = [];

    // Counted as UTF-16 (two bytes a character, or a prose byte, so a prose column's row groups hold as
    // many rows as they did as strings), plus eight bytes a value.
    protected override long ValueBytes => (2L * _used) + (8L * _present);

    /// <summary>Room for the next value, at the end of the buffer; <see cref="Add"/> then takes its first <c>length</c> items.</summary>
    protected Span<T> Reserve(int length)
    {
        if (_used + length > _buffer.Length)
        {
            PooledArrays.Grow(ref _buffer, _used, _used + length);
        }

        return _buffer.AsSpan(_used, length);
    }

    /// <summary>Adds the value just written into <see cref="Reserve"/>d room.</summary>
    protected void Add(int length)
    {
        if (_present == _values.Length)
        {
            PooledArrays.Grow(ref _values, _present, _present + 1);
        }

        _values[_present++] = (_used, length);
        _used += length;
        Present();
    }

    public override Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
    {
        if (_memories.Length < _present)
        {
            PooledArrays.Return(ref _memories);
            _memories = PooledArrays.Rent<ReadOnlyMemory<T>>(_values.Length);
        }

        for (var i = 0; i < _present; i++)
        {
            var (start, length) = _values[i];
            _memories[i] = _buffer.AsMemory(start, length);
        }

        return group.WriteAllPartsAsync<ReadOnlyMemory<T>>(Field, _memories.AsMemory(0, _present), Levels, null, cancellationToken);
    }

    protected override void ClearValues()
    {
        _present = 0;
        _used = 0;
    }

    protected override void ReleaseValues()
    {
        PooledArrays.Return(ref _buffer);
        PooledArrays.Return(ref _values);
        PooledArrays.Return(ref _memories);
    }
}

/// <summary>A column of structs (numbers, booleans, timestamps, dates, decimals, bytes).</summary>
internal sealed class ValueColumn<T>(DataField field, string where, Func<IExportRow, int, T> read) : ParquetColumn(field, where)
    where T : struct
{
    private static readonly int Size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
    private T[] _values = PooledArrays.Rent<T>(1024);
    private int _present;

    protected override long ValueBytes => (long)_present * Size;

    public override void Append(IExportRow row, int ordinal)
    {
        var value = read(row, ordinal);
        if (_present == _values.Length)
        {
            PooledArrays.Grow(ref _values, _present, _present + 1);
        }

        _values[_present++] = value;
        Present();
    }

    public override Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken) =>
        group.WriteAllPartsAsync<T>(Field, _values.AsMemory(0, _present), Levels, null, cancellationToken);

    protected override void ClearValues() => _present = 0;

    protected override void ReleaseValues() => PooledArrays.Return(ref _values);
}

/// <summary>
/// A string column: text as stored (invalid UTF-8 decoded as the JSON export decodes it), GUIDs as
/// lowercase text, and a JSON-text or rewritten column as the JSON export's value: its JSON text for a
/// JSON column (the stored document when it is JSON, else a JSON string), the string for any other.
/// The characters of a row group live in one reused buffer, not one .NET string per value.
/// </summary>
internal sealed class StringColumn : TextColumn<char>
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 300 };
    private readonly Action<StringColumn, IExportRow, int> _append;

    // The JSON export's value of a JSON-route column, written by the JSON export's own code.
    private ArrayBufferWriter<byte>? _json;
    private Utf8JsonWriter? _jsonWriter;

    public StringColumn(DataField field, string where, Action<StringColumn, IExportRow, int> append)
        : base(field, where)
    {
        _append = append;
    }

    /// <summary>Stored text, as UTF-8 from the row.</summary>
    public static void Text(StringColumn column, IExportRow row, int ordinal) => column.AddUtf8(row.GetUtf8(ordinal));

    public static void Guid(StringColumn column, IExportRow row, int ordinal)
    {
        var value = row.GetGuid(ordinal);
        column.Add(value.TryFormat(column.Reserve(36), out var written) ? written : throw new InvalidOperationException("A GUID takes 36 characters."));
    }

    /// <summary>A JSON-text column: the stored text through <see cref="JsonValues.WriteJsonText(Utf8JsonWriter, ReadOnlySpan{byte})"/>, or the de-identifying transform.</summary>
    public static Action<StringColumn, IExportRow, int> AsJson(ColumnTransform? transform) =>
        (column, row, ordinal) => column.AddJson(row, ordinal, transform, keepJson: true);

    /// <summary>A rewritten column: the string the de-identifying transform writes.</summary>
    public static Action<StringColumn, IExportRow, int> AsJsonString(ColumnTransform transform) =>
        (column, row, ordinal) => column.AddJson(row, ordinal, transform, keepJson: false);

    public override void Append(IExportRow row, int ordinal) => _append(this, row, ordinal);

    private void AddUtf8(ReadOnlySpan<byte> utf8) =>
        // UTF-8 never needs more UTF-16 code units than it has bytes; invalid bytes become U+FFFD, as in the JSON export.
        Add(System.Text.Encoding.UTF8.GetChars(utf8, Reserve(utf8.Length)));

    private void AddJson(IExportRow row, int ordinal, ColumnTransform? transform, bool keepJson)
    {
        _json ??= new ArrayBufferWriter<byte>(1024);
        _json.ResetWrittenCount();
        if (_jsonWriter is null)
        {
            _jsonWriter = new Utf8JsonWriter(_json, ExportWriter.WriterOptions);
        }
        else
        {
            _jsonWriter.Reset(_json);
        }

        if (transform is not null)
        {
            transform(_jsonWriter, row, ordinal);
        }
        else
        {
            JsonValues.WriteJsonText(_jsonWriter, row.GetUtf8(ordinal));
        }

        _jsonWriter.Flush();
        var value = _json.WrittenSpan;
        var reader = new Utf8JsonReader(value, ReaderOptions);
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            AppendNull();
            return;
        }

        if (keepJson || reader.TokenType != JsonTokenType.String)
        {
            var start = (int)reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            AddUtf8(value[start..(int)reader.BytesConsumed]);
        }
        else
        {
            Add(reader.CopyString(Reserve(reader.ValueSpan.Length)));
        }
    }
}

/// <summary>
/// Column buffers from <see cref="ArrayPool{T}.Shared"/>: a table's buffers go back to the pool when it
/// ends and the next table's columns take them again, so a large table's buffers are reused rather than
/// left on the large object heap beside the next one's.
/// </summary>
internal static class PooledArrays
{
    public static T[] Rent<T>(int length) => ArrayPool<T>.Shared.Rent(length);

    /// <summary>Replaces <paramref name="array"/> by one of at least <paramref name="minimum"/> (at least twice as long), keeping its first <paramref name="used"/> items.</summary>
    public static void Grow<T>(ref T[] array, int used, int minimum)
    {
        var bigger = ArrayPool<T>.Shared.Rent(Math.Max(minimum, array.Length * 2));
        array.AsSpan(0, used).CopyTo(bigger);
        Return(ref array);
        array = bigger;
    }

    public static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array, System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }

        array = [];
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Data;
using System.Text;
using System.Text.Json;

using Npgsql;

using SupportSignal.Export.Catalog;

namespace SupportSignal.Export.Writing;

/// <summary>
/// The PostgreSQL fast path: runs the table's SELECT as <c>COPY (…) TO STDOUT (FORMAT BINARY)</c> on the
/// export's own session (so inside its snapshot transaction), parses the binary COPY frames from one
/// pooled buffer and hands each value's bytes to the same canonical writers (<see cref="JsonValues"/>) the
/// data reader path uses: no value becomes a .NET object, and the document is byte-identical.
/// Before a table's first COPY, its result's column types are described (no rows read); a table with a
/// column of a type this reader does not decode goes through <paramref name="generic"/> instead.
/// De-identified columns read the current tuple through <see cref="IExportRow"/>.
/// </summary>
internal sealed class PostgreSqlRowSource(NpgsqlConnection connection, IRowSource generic, Action fastTableRead) : IRowSource
{
    private const int InitialBuffer = 256 * 1024;
    private const int MinRead = 32 * 1024;
    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xff, (byte)'\r', (byte)'\n', 0];

    private readonly Row _row = new();
    private readonly Dictionary<string, bool> _decodable = new(StringComparer.Ordinal);
    private byte[] _buffer = [];
    private int _start;
    private int _end;

    public async Task<long> WriteRowsAsync(TablePlan plan, JsonOutput output, CancellationToken cancellationToken) =>
        await CanDecodeAsync(plan, cancellationToken)
            ? await CopyRowsAsync(plan, new JsonRowReceiver(output, (writer, _) => WriteRow(plan, writer, _row)), cancellationToken)
            : await generic.WriteRowsAsync(plan, output, cancellationToken);

    public async Task<long> ReadRowsAsync(TablePlan plan, IRowReceiver receiver, CancellationToken cancellationToken) =>
        await CanDecodeAsync(plan, cancellationToken)
            ? await CopyRowsAsync(plan, receiver, cancellationToken)
            : await generic.ReadRowsAsync(plan, receiver, cancellationToken);

    private async Task<long> CopyRowsAsync(TablePlan plan, IRowReceiver receiver, CancellationToken cancellationToken)
    {
        fastTableRead();
        _row.Reset(plan.Columns.Length);
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        (_start, _end) = (0, 0);
        var copy = await connection.BeginRawBinaryCopyAsync($"COPY ({plan.Sql}) TO STDOUT (FORMAT BINARY)", cancellationToken);
        var consumed = false;
        try
        {
            // The server stops the COPY (57014) as the data reader's cancellation does; the read then fails.
            await using var cancel = cancellationToken.Register(static c => TryCancel((NpgsqlRawCopyStream)c!), copy);
            try
            {
                var rows = await ReadTuplesAsync(copy, receiver, cancellationToken);
                consumed = true;
                return rows;
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
            {
                throw new OperationCanceledException("The export was cancelled.", e, cancellationToken);
            }
        }
        finally
        {
            // Disposing a COPY that is still sending reads it to its end: stop it on the server first.
            if (!consumed)
            {
                TryCancel(copy);
            }

            await copy.DisposeAsync();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private async Task<long> ReadTuplesAsync(NpgsqlRawCopyStream copy, IRowReceiver receiver, CancellationToken cancellationToken)
    {
        await ReadHeaderAsync(copy, cancellationToken);
        long rows = 0;
        while (true)
        {
            int length;
            while ((length = _row.Parse(_buffer.AsSpan(_start, _end - _start), _start)) == 0)
            {
                await ReadMoreAsync(copy, cancellationToken);
            }

            if (length < 0)
            {
                // The trailer: read on until the stream ends, so the COPY is finished on the session.
                _start += -length;
                if (_end > _start || await copy.ReadAsync(_buffer.AsMemory(0), cancellationToken) != 0)
                {
                    throw new NpgsqlException("The server sent data after the end of the COPY.");
                }

                return rows;
            }

            _row.MoveTo(_buffer);
            receiver.Receive(_row);
            _start += length;
            rows++;
            if (receiver.ShouldFlush)
            {
                await receiver.FlushAsync(cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task ReadHeaderAsync(NpgsqlRawCopyStream copy, CancellationToken cancellationToken)
    {
        const int Fixed = 19;
        while (_end - _start < Fixed)
        {
            await ReadMoreAsync(copy, cancellationToken);
        }

        var header = _buffer.AsSpan(_start, Fixed);
        if (!header[..Signature.Length].SequenceEqual(Signature))
        {
            throw new NpgsqlException("The server's COPY output is not in PostgreSQL's binary format.");
        }

        var extension = BinaryPrimitives.ReadInt32BigEndian(header[15..]);
        while (_end - _start < Fixed + extension)
        {
            await ReadMoreAsync(copy, cancellationToken);
        }

        _start += Fixed + extension;
    }

    // Keeps the unparsed tail, makes room (a row larger than the buffer doubles it) and reads what the server sent next.
    private async ValueTask ReadMoreAsync(NpgsqlRawCopyStream copy, CancellationToken cancellationToken)
    {
        if (_buffer.Length - _end < MinRead)
        {
            var pending = _end - _start;
            var target = _buffer;
            if (_buffer.Length - pending < MinRead)
            {
                target = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            }

            _buffer.AsSpan(_start, pending).CopyTo(target);
            if (!ReferenceEquals(target, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }

            (_start, _end) = (0, pending);
        }

        var read = await copy.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            throw new NpgsqlException("The server's COPY output ended in the middle of a row.");
        }

        _end += read;
    }

    private static void TryCancel(NpgsqlRawCopyStream copy)
    {
        try
        {
            copy.Cancel();
        }
        catch (Exception e) when (e is ObjectDisposedException or NullReferenceException or NpgsqlException or InvalidOperationException)
        {
            // Already ended (finished, failed or disposed): nothing left to stop.
        }
    }

    // Whether every column of the plan's result has a type this reader decodes for the column's kind.
    private async ValueTask<bool> CanDecodeAsync(TablePlan plan, CancellationToken cancellationToken)
    {
        if (_decodable.TryGetValue(plan.Sql, out var known))
        {
            return known;
        }

        await using var command = new NpgsqlCommand(plan.Sql, connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SchemaOnly, cancellationToken);
        var decodable = reader.FieldCount == plan.Kinds.Length;
        for (var i = 0; decodable && i < plan.Kinds.Length; i++)
        {
            decodable = Decodes(plan.Kinds[i], reader.GetDataTypeOID(i));
        }

        _decodable[plan.Sql] = decodable;
        return decodable;
    }

    // PostgreSQL's built-in type OIDs (pg_type.oid; fixed for built-in types).
    private const uint Bool = 16, Bytea = 17, Int8 = 20, Int4 = 23, Text = 25, Float8 = 701, Varchar = 1043,
        Date = 1082, Timestamp = 1114, TimestampTz = 1184, Numeric = 1700, Uuid = 2950;

    internal static bool Decodes(ValueKind kind, uint type) => kind switch
    {
        ValueKind.Text or ValueKind.Json => type is Text or Varchar,
        ValueKind.Guid => type == Uuid,
        ValueKind.DateTime => type is TimestampTz or Timestamp,
        ValueKind.DateTimeOffset => type == TimestampTz,
        ValueKind.Date => type == Date,
        ValueKind.Boolean => type == Bool,
        ValueKind.Int32 => type == Int4,
        ValueKind.Int64 => type == Int8,
        ValueKind.Double => type == Float8,
        ValueKind.Decimal => type == Numeric,
        ValueKind.Binary => type == Bytea,
        _ => false,
    };

    private static void WriteRow(TablePlan plan, Utf8JsonWriter writer, Row row)
    {
        writer.WriteStartObject();
        var kinds = plan.Kinds;
        var transforms = plan.Transforms;
        for (var i = 0; i < kinds.Length; i++)
        {
            writer.WritePropertyName(plan.Names[i]);
            if (row.IsNull(i))
            {
                writer.WriteNullValue();
                continue;
            }

            if (transforms?[i] is { } transform)
            {
                transform(writer, row, i);
                continue;
            }

            var value = row.Value(i);
            switch (kinds[i])
            {
                case ValueKind.Text:
                    JsonValues.WriteText(writer, value);
                    break;
                case ValueKind.Json:
                    JsonValues.WriteJsonText(writer, value);
                    break;
                case ValueKind.Guid:
                    writer.WriteStringValue(new Guid(value, bigEndian: true));
                    break;
                case ValueKind.DateTime:
                case ValueKind.DateTimeOffset:
                    JsonValues.WriteDateTime(writer, PostgreSqlBinary.Timestamp(value));
                    break;
                case ValueKind.Date:
                    JsonValues.WriteDate(writer, PostgreSqlBinary.Date(value));
                    break;
                case ValueKind.Boolean:
                    writer.WriteBooleanValue(value[0] != 0);
                    break;
                case ValueKind.Int32:
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt32BigEndian(value));
                    break;
                case ValueKind.Int64:
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt64BigEndian(value));
                    break;
                case ValueKind.Double:
                    writer.WriteNumberValue(BinaryPrimitives.ReadDoubleBigEndian(value));
                    break;
                case ValueKind.Decimal:
                    JsonValues.WriteDecimal(writer, PostgreSqlBinary.Numeric(value));
                    break;
                case ValueKind.Binary:
                    writer.WriteBase64StringValue(value);
                    break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The tuple being written: where each field's bytes are in the buffer (length -1: NULL).</summary>
    private sealed class Row : IExportRow
    {
        private int[] _offsets = [];
        private int[] _lengths = [];
        private byte[] _buffer = [];

        public long Position { get; private set; } = -1;

        public void Reset(int columns)
        {
            if (_offsets.Length != columns)
            {
                _offsets = new int[columns];
                _lengths = new int[columns];
            }
        }

        /// <summary>
        /// Finds the next tuple in <paramref name="data"/> (which starts at <paramref name="origin"/> in the
        /// buffer): its length in bytes, 0 when it is not all there yet, or minus the trailer's length.
        /// </summary>
        public int Parse(ReadOnlySpan<byte> data, int origin)
        {
            if (data.Length < 2)
            {
                return 0;
            }

            var fields = BinaryPrimitives.ReadInt16BigEndian(data);
            if (fields == -1)
            {
                return -2;
            }

            if (fields != _offsets.Length)
            {
                throw new NpgsqlException($"The server's COPY row has {fields} fields where {_offsets.Length} were asked for.");
            }

            var position = 2;
            for (var i = 0; i < fields; i++)
            {
                if (data.Length - position < 4)
                {
                    return 0;
                }

                var length = BinaryPrimitives.ReadInt32BigEndian(data[position..]);
                position += 4;
                _offsets[i] = origin + position;
                _lengths[i] = length;
                if (length > 0)
                {
                    if (data.Length - position < length)
                    {
                        return 0;
                    }

                    position += length;
                }
            }

            return position;
        }

        public void MoveTo(byte[] buffer)
        {
            _buffer = buffer;
            Position++;
        }

        public ReadOnlySpan<byte> Value(int ordinal) => _buffer.AsSpan(_offsets[ordinal], _lengths[ordinal]);

        public bool IsNull(int ordinal) => _lengths[ordinal] < 0;

        public string GetString(int ordinal) => Encoding.UTF8.GetString(Value(ordinal));

        public ReadOnlySpan<byte> GetUtf8(int ordinal) => Value(ordinal);

        public Guid GetGuid(int ordinal) => new(Value(ordinal), bigEndian: true);

        public DateOnly GetDate(int ordinal) => PostgreSqlBinary.Date(Value(ordinal));

        public bool GetBoolean(int ordinal) => Value(ordinal)[0] != 0;

        public int GetInt32(int ordinal) => BinaryPrimitives.ReadInt32BigEndian(Value(ordinal));

        public long GetInt64(int ordinal) => BinaryPrimitives.ReadInt64BigEndian(Value(ordinal));

        public double GetDouble(int ordinal) => BinaryPrimitives.ReadDoubleBigEndian(Value(ordinal));

        public decimal GetDecimal(int ordinal) => PostgreSqlBinary.Numeric(Value(ordinal));

        public DateTime GetUtcDateTime(int ordinal) => PostgreSqlBinary.Timestamp(Value(ordinal));

        public DateTime GetUtcDateTimeOffset(int ordinal) => PostgreSqlBinary.Timestamp(Value(ordinal));

        public byte[] GetBytes(int ordinal) => Value(ordinal).ToArray();
    }
}

/// <summary>PostgreSQL's binary send formats of the types the fast path decodes, read as Npgsql reads them.</summary>
internal static class PostgreSqlBinary
{
    private static readonly long EpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly int EpochDay = new DateOnly(2000, 1, 1).DayNumber;

    /// <summary>timestamp/timestamptz: microseconds since 2000-01-01 (UTC for timestamptz); ±infinity as DateTime's bounds, as Npgsql does.</summary>
    public static DateTime Timestamp(ReadOnlySpan<byte> value)
    {
        var microseconds = BinaryPrimitives.ReadInt64BigEndian(value);
        switch (microseconds)
        {
            case long.MaxValue:
                return DateTime.MaxValue;
            case long.MinValue:
                return DateTime.MinValue;
        }

        var ticks = EpochTicks + (microseconds * 10);
        if (microseconds is > (long.MaxValue / 10) or < (long.MinValue / 10) || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            throw new InvalidCastException("A timestamp is out of the range of DateTime (year must be between 1 and 9999).");
        }

        return new DateTime(ticks, DateTimeKind.Utc);
    }

    /// <summary>date: days since 2000-01-01; ±infinity as DateOnly's bounds, as Npgsql does.</summary>
    public static DateOnly Date(ReadOnlySpan<byte> value)
    {
        var days = BinaryPrimitives.ReadInt32BigEndian(value);
        return days switch
        {
            int.MaxValue => DateOnly.MaxValue,
            int.MinValue => DateOnly.MinValue,
            _ => (long)EpochDay + days is >= 0 and <= 3_652_058 ? DateOnly.FromDayNumber(EpochDay + days)
                : throw new InvalidCastException("A date is out of the range of DateOnly (year must be between 1 and 9999)."),
        };
    }

    /// <summary>
    /// numeric: int16 digit count, int16 weight (of the first digit, in powers of 10000), uint16 sign,
    /// int16 display scale, then the base-10000 digits. Exact, as <see cref="decimal"/>; NaN, infinity
    /// and values beyond decimal's range fail as Npgsql's conversion fails.
    /// </summary>
    public static decimal Numeric(ReadOnlySpan<byte> value)
    {
        int digits = BinaryPrimitives.ReadInt16BigEndian(value);
        int weight = BinaryPrimitives.ReadInt16BigEndian(value[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(value[4..]);
        if (sign is not (0x0000 or 0x4000))
        {
            throw new InvalidCastException("A numeric NaN or infinity cannot be read as a decimal.");
        }

        try
        {
            var mantissa = UInt128.Zero;
            for (var i = 0; i < digits; i++)
            {
                mantissa = checked((mantissa * 10_000u) + (uint)BinaryPrimitives.ReadInt16BigEndian(value[(8 + (2 * i))..]));
            }

            // value = mantissa * 10000^(weight - digits + 1)
            var exponent = (weight - digits + 1) * 4;
            var scale = 0;
            if (mantissa == UInt128.Zero)
            {
                exponent = 0;
            }

            for (; exponent > 0; exponent--)
            {
                mantissa = checked(mantissa * 10u);
            }

            for (scale = -exponent; scale > 0 && mantissa % 10u == UInt128.Zero; scale--)
            {
                mantissa /= 10u;
            }

            if (scale > 28 || mantissa >> 96 != UInt128.Zero)
            {
                throw new OverflowException();
            }

            return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), sign == 0x4000 && mantissa != UInt128.Zero, (byte)scale);
        }
        catch (OverflowException)
        {
            throw new OverflowException("A numeric value is outside the range of a decimal.");
        }
    }
}

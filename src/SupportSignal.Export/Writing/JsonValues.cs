using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SupportSignal.Export.Writing;

/// <summary>
/// The canonical JSON form of each kind of value. Both row sources go through these, so the
/// generic reader and the SQLite fast path write byte-identical documents.
/// </summary>
// Every stack buffer here is written before it is read: no zeroing of 256 bytes for each string.
[SkipLocalsInit]
internal static class JsonValues
{
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public static void WriteDateTime(Utf8JsonWriter writer, DateTime value)
    {
        Span<byte> buffer = stackalloc byte[40];
        value.TryFormat(buffer, out var written, DateTimeFormat, CultureInfo.InvariantCulture);
        WriteVerbatim(writer, buffer[..written]);
    }

    public static void WriteDateTimeOffset(Utf8JsonWriter writer, DateTimeOffset value) => WriteDateTime(writer, value.UtcDateTime);

    public static void WriteDate(Utf8JsonWriter writer, DateOnly value)
    {
        Span<byte> buffer = stackalloc byte[16];
        value.TryFormat(buffer, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        WriteVerbatim(writer, buffer[..written]);
    }

    /// <summary>
    /// A stored UTC timestamp as text. EF's SQLite form (<c>2026-03-01 09:30:00.25</c>) only needs the
    /// <c>T</c> and the <c>Z</c>; anything else is parsed and written in the canonical form.
    /// </summary>
    public static void WriteDateTimeText(Utf8JsonWriter writer, ReadOnlySpan<byte> text)
    {
        if (IsCanonicalStoredDateTime(text))
        {
            // Quoted here, with the T and the Z: digits and separators need no escaping.
            Span<byte> buffer = stackalloc byte[text.Length + 3];
            buffer[0] = (byte)'"';
            text.CopyTo(buffer[1..]);
            buffer[11] = (byte)'T';
            buffer[^2] = (byte)'Z';
            buffer[^1] = (byte)'"';
            writer.WriteRawValue(buffer, skipInputValidation: true);
            return;
        }

        WriteDateTime(writer, ParseDateTimeText(text));
    }

    /// <summary>The UTC instant a stored timestamp's text names (the value <see cref="WriteDateTimeText"/> writes).</summary>
    public static DateTime ParseDateTimeText(ReadOnlySpan<byte> text)
    {
        if (!IsCanonicalStoredDateTime(text))
        {
            return DateTime.Parse(Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        }

        long fraction = 0;
        var digits = 0;
        for (var i = 20; i < text.Length; i++, digits++)
        {
            fraction = (fraction * 10) + (text[i] - '0');
        }

        for (; digits < 7; digits++)
        {
            fraction *= 10;
        }

        return new DateTime(
            Number(text, 0, 4), Number(text, 5, 2), Number(text, 8, 2), Number(text, 11, 2), Number(text, 14, 2), Number(text, 17, 2),
            DateTimeKind.Utc).AddTicks(fraction);
    }

    public static void WriteDateTimeOffsetText(Utf8JsonWriter writer, ReadOnlySpan<byte> text) =>
        WriteDateTimeOffset(writer, ParseDateTimeOffsetText(text));

    public static DateTimeOffset ParseDateTimeOffsetText(ReadOnlySpan<byte> text) =>
        DateTimeOffset.Parse(Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    // Digits IsCanonicalStoredDateTime has checked.
    private static int Number(ReadOnlySpan<byte> text, int start, int length)
    {
        var value = 0;
        for (var i = start; i < start + length; i++)
        {
            value = (value * 10) + (text[i] - '0');
        }

        return value;
    }

    // yyyy-MM-dd HH:mm:ss with an optional fraction of 1-7 digits and no trailing zero (EF's FFFFFFF).
    private static bool IsCanonicalStoredDateTime(ReadOnlySpan<byte> t)
    {
        if (t.Length < 19 || t.Length == 20 || t.Length > 27 || (t[10] != (byte)' ' && t[10] != (byte)'T')
            || t[4] != (byte)'-' || t[7] != (byte)'-' || t[13] != (byte)':' || t[16] != (byte)':')
        {
            return false;
        }

        if (t.Length > 19 && (t[19] != (byte)'.' || t[^1] == (byte)'0'))
        {
            return false;
        }

        for (var i = 0; i < t.Length; i++)
        {
            if (i is not (4 or 7 or 10 or 13 or 16 or 19) && (uint)(t[i] - '0') > 9)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A GUID stored as text: written lowercase, as <see cref="Guid"/> formats itself.</summary>
    public static void WriteGuidText(Utf8JsonWriter writer, ReadOnlySpan<byte> text)
    {
        if (text.Length == 36)
        {
            // Lower-cased straight into its quotes; hex digits and hyphens need no escaping, anything else goes the long way.
            Span<byte> quoted = stackalloc byte[38];
            var plain = true;
            for (var i = 0; i < 36; i++)
            {
                var c = text[i];
                var lower = (uint)(c - 'A') <= 'Z' - 'A' ? (byte)(c | 0x20) : c;
                quoted[i + 1] = lower;
                plain &= (uint)(lower - '0') <= 9 || (uint)(lower - 'a') <= 'f' - 'a' || lower == (byte)'-';
            }

            if (!plain)
            {
                WriteText(writer, quoted[1..37]);
                return;
            }

            quoted[0] = (byte)'"';
            quoted[37] = (byte)'"';
            writer.WriteRawValue(quoted, skipInputValidation: true);
            return;
        }

        writer.WriteStringValue(Guid.Parse(Encoding.UTF8.GetString(text)));
    }

    public static void WriteDecimalText(Utf8JsonWriter writer, ReadOnlySpan<byte> text) => WriteDecimal(writer, ParseDecimalText(text));

    public static decimal ParseDecimalText(ReadOnlySpan<byte> text) =>
        Utf8Parser.TryParse(text, out decimal value, out var consumed) && consumed == text.Length
            ? value
            : decimal.Parse(Encoding.UTF8.GetString(text), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>
    /// An exact decimal in one form whatever the column's scale: the shortest fraction, at least one
    /// digit (<c>1.5</c>, <c>2.0</c>). EF's SQLite form already is; a server's <c>numeric(18,6)</c>
    /// returns <c>1.500000</c>, which is the same value and must be written the same way.
    /// </summary>
    public static void WriteDecimal(Utf8JsonWriter writer, decimal value)
    {
        Span<byte> buffer = stackalloc byte[64];
        value.TryFormat(buffer, out var written, DecimalFormat, CultureInfo.InvariantCulture);
        writer.WriteRawValue(buffer[..written], skipInputValidation: true);
    }

    private const string DecimalFormat = "0.0###########################";

    public static void WriteText(Utf8JsonWriter writer, ReadOnlySpan<byte> utf8)
    {
        var plain = IndexOfFirstToCheck(utf8);
        if (plain == utf8.Length)
        {
            WriteVerbatim(writer, utf8);
            return;
        }

        if (TryWriteEscaped(writer, utf8, plain))
        {
            return;
        }

        try
        {
            writer.WriteStringValue(utf8);
        }
        catch (ArgumentException)
        {
            // Not valid UTF-8: written as the generic reader would decode it (replacement characters).
            writer.WriteStringValue(Encoding.UTF8.GetString(utf8));
        }
    }

    /// <summary>
    /// Whether the writer would write this string as it is: printable ASCII without <c>"</c> or <c>\</c>
    /// (the export's encoder, UnsafeRelaxedJsonEscaping, escapes only control characters, DEL, <c>"</c>
    /// and <c>\</c> among ASCII; anything else, non-ASCII included, is left to the writer's own check).
    /// </summary>
    public static bool NeedsNoEscaping(ReadOnlySpan<byte> utf8) => IndexOfFirstToCheck(utf8) == utf8.Length;

    /// <summary>
    /// A string with characters to escape, escaped here as the writer's encoder escapes them
    /// (<c>\n</c>, <c>\"</c>, <c>\u001F</c>…) and handed to the writer as a raw value. Only ASCII escapes are
    /// written here: false, with nothing written, when the text is not valid UTF-8 or holds a character
    /// beyond ASCII that the encoder would escape (<see cref="JavaScriptEncoder.WillEncode"/>), which the
    /// writer then handles itself.
    /// </summary>
    /// <param name="plain">How many leading bytes need no escaping (<see cref="IndexOfFirstToCheck"/>, already scanned).</param>
    private static bool TryWriteEscaped(Utf8JsonWriter writer, ReadOnlySpan<byte> utf8, int plain)
    {
        // At most six bytes (\u00XX) for each byte after the plain ones, and the quotes.
        var rented = ArrayPool<byte>.Shared.Rent(plain + ((utf8.Length - plain) * 6) + 2);
        try
        {
            var output = rented.AsSpan();
            output[0] = (byte)'"';
            var (i, written) = (0, 1);
            while (true)
            {
                // A run that needs nothing, then the one byte or character after it.
                utf8.Slice(i, plain).CopyTo(output[written..]);
                (i, written) = (i + plain, written + plain);
                if (i == utf8.Length)
                {
                    break;
                }

                if (utf8[i] < 0x80)
                {
                    written += Escape(utf8[i], output[written..]);
                    i++;
                }
                else if (Rune.DecodeFromUtf8(utf8[i..], out var rune, out var length) == OperationStatus.Done && !Escaped(rune.Value))
                {
                    utf8.Slice(i, length).CopyTo(output[written..]);
                    (i, written) = (i + length, written + length);
                }
                else
                {
                    return false;
                }

                plain = IndexOfFirstToCheck(utf8[i..]);
            }

            output[written++] = (byte)'"';
            writer.WriteRawValue(output[..written], skipInputValidation: true);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // The minimal JSON escapes of UnsafeRelaxedJsonEscaping: short forms where JSON has them, else \u00XX in upper-case hex.
    private static int Escape(byte b, Span<byte> output)
    {
        var shortForm = b switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'\b' => (byte)'b',
            (byte)'\t' => (byte)'t',
            (byte)'\n' => (byte)'n',
            (byte)'\f' => (byte)'f',
            (byte)'\r' => (byte)'r',
            _ => (byte)0,
        };
        output[0] = (byte)'\\';
        if (shortForm != 0)
        {
            output[1] = shortForm;
            return 2;
        }

        output[1] = (byte)'u';
        output[2] = (byte)'0';
        output[3] = (byte)'0';
        output[4] = (byte)"0123456789ABCDEF"[b >> 4];
        output[5] = (byte)"0123456789ABCDEF"[b & 0xF];
        return 6;
    }

    // Whether the export's encoder escapes a character beyond ASCII, asked once per BMP character and remembered.
    private static bool Escaped(int scalar)
    {
        if (scalar > 0xFFFF)
        {
            return ExportWriter.WriterOptions.Encoder!.WillEncode(scalar);
        }

        var known = Volatile.Read(ref BmpEscaped[scalar]);
        if (known == 0)
        {
            known = ExportWriter.WriterOptions.Encoder!.WillEncode(scalar) ? (byte)2 : (byte)1;
            Volatile.Write(ref BmpEscaped[scalar], known);
        }

        return known == 2;
    }

    // 0: not asked yet; 1: written as it is; 2: escaped.
    private static readonly byte[] BmpEscaped = new byte[0x10000];

    // The length of the leading run of printable ASCII other than " and \: what NeedsNoEscaping accepts. Vector code is
    // not precompiled (ReadyToRun cannot know the machine's vector width) and would run as unoptimized tier-0 code for
    // much of an export, so it is compiled optimized at its first call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IndexOfFirstToCheck(ReadOnlySpan<byte> utf8)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated && utf8.Length >= Vector128<byte>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(utf8);
            for (; i <= utf8.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var special = Special(Vector128.LoadUnsafe(ref start, (nuint)i));
                if (special != Vector128<byte>.Zero)
                {
                    return i + BitOperations.TrailingZeroCount(special.ExtractMostSignificantBits());
                }
            }
        }

        for (; i < utf8.Length; i++)
        {
            if (IsSpecial(utf8[i]))
            {
                return i;
            }
        }

        return utf8.Length;
    }

    // Unsigned: a byte under 0x20 wraps round to above 0x5E too.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Special(Vector128<byte> bytes) =>
        Vector128.GreaterThan(bytes - Vector128.Create((byte)0x20), Vector128.Create((byte)(0x7E - 0x20)))
        | Vector128.Equals(bytes, Vector128.Create((byte)'"'))
        | Vector128.Equals(bytes, Vector128.Create((byte)'\\'));

    private static bool IsSpecial(byte b) => (uint)(b - 0x20) > 0x7E - 0x20 || b == (byte)'"' || b == (byte)'\\';

    /// <summary>
    /// A string that needs no escaping (<see cref="NeedsNoEscaping"/>), quoted and handed to the writer as a
    /// raw value: the same bytes <c>WriteStringValue</c> writes, without its escaping scan over every value.
    /// </summary>
    private static void WriteVerbatim(Utf8JsonWriter writer, ReadOnlySpan<byte> ascii)
    {
        const int StackLimit = 256;
        var rented = ascii.Length + 2 > StackLimit ? ArrayPool<byte>.Shared.Rent(ascii.Length + 2) : null;
        try
        {
            var quoted = (rented ?? stackalloc byte[StackLimit])[..(ascii.Length + 2)];
            quoted[0] = (byte)'"';
            ascii.CopyTo(quoted[1..]);
            quoted[^1] = (byte)'"';
            writer.WriteRawValue(quoted, skipInputValidation: true);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A JSON text column: embedded as a JSON value when it parses, else kept as a string.</summary>
    public static void WriteJsonText(Utf8JsonWriter writer, ReadOnlySpan<byte> utf8)
    {
        if (IsSingleJsonValue(utf8))
        {
            writer.WriteRawValue(utf8, skipInputValidation: true);
        }
        else
        {
            WriteText(writer, utf8);
        }
    }

    public static void WriteJsonText(Utf8JsonWriter writer, string text)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var length = Encoding.UTF8.GetBytes(text, rented);
            WriteJsonText(writer, rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool IsSingleJsonValue(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SupportSignal.Export.Writing;

/// <summary>
/// The canonical JSON form of each kind of value. Both row sources go through these, so the
/// generic reader and the SQLite fast path write byte-identical documents.
/// </summary>
internal static class JsonValues
{
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public static void WriteDateTime(Utf8JsonWriter writer, DateTime value)
    {
        Span<byte> buffer = stackalloc byte[40];
        value.TryFormat(buffer, out var written, DateTimeFormat, CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }

    public static void WriteDateTimeOffset(Utf8JsonWriter writer, DateTimeOffset value) => WriteDateTime(writer, value.UtcDateTime);

    public static void WriteDate(Utf8JsonWriter writer, DateOnly value)
    {
        Span<byte> buffer = stackalloc byte[16];
        value.TryFormat(buffer, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }

    /// <summary>
    /// A stored UTC timestamp as text. EF's SQLite form (<c>2026-03-01 09:30:00.25</c>) only needs the
    /// <c>T</c> and the <c>Z</c>; anything else is parsed and written in the canonical form.
    /// </summary>
    public static void WriteDateTimeText(Utf8JsonWriter writer, ReadOnlySpan<byte> text)
    {
        if (IsCanonicalStoredDateTime(text))
        {
            Span<byte> buffer = stackalloc byte[text.Length + 1];
            text.CopyTo(buffer);
            buffer[10] = (byte)'T';
            buffer[^1] = (byte)'Z';
            writer.WriteStringValue(buffer);
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
            Span<byte> lower = stackalloc byte[36];
            for (var i = 0; i < 36; i++)
            {
                var c = text[i];
                lower[i] = (uint)(c - 'A') <= 'Z' - 'A' ? (byte)(c | 0x20) : c;
            }

            writer.WriteStringValue(lower);
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
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var length = Encoding.UTF8.GetBytes(text, rented);
            WriteJsonText(writer, rented.AsSpan(0, length));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
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

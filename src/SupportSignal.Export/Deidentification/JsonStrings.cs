using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SupportSignal.Export.Deidentification;

/// <summary>Walks JSON text held in a column and rewrites its string values, leaving its structure as it is.</summary>
internal static class JsonStrings
{
    /// <summary>
    /// Copies the JSON into <paramref name="output"/> with each string value the scrubber changes replaced;
    /// false when the text is not exactly one JSON value. Property names are copied as they are.
    /// </summary>
    public static bool TryScrub(ReadOnlySpan<byte> utf8, TextScrubber scrubber, NameContext? context, ArrayBufferWriter<byte> output, out bool changed)
    {
        output.ResetWrittenCount();
        changed = false;
        var copied = 0;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
            // The reader throws on anything after the first value, so reading to the end proves there is one.
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    continue;
                }

                var start = checked((int)reader.TokenStartIndex + 1);
                var raw = reader.ValueSpan;
                ReadOnlySpan<byte> scrubbed;
                if (!reader.ValueIsEscaped)
                {
                    scrubbed = scrubber.Scrub(raw, context);
                    if (scrubbed == raw)
                    {
                        continue;
                    }
                }
                else
                {
                    var unescaped = ArrayPool<byte>.Shared.Rent(raw.Length);
                    try
                    {
                        var value = unescaped.AsSpan(0, reader.CopyString(unescaped));
                        var result = scrubber.Scrub(value, context);
                        if (result == value)
                        {
                            continue;
                        }

                        scrubbed = JsonEncodedText.Encode(result, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(unescaped);
                    }
                }

                output.Write(utf8[copied..start]);
                output.Write(scrubbed);
                copied = start + raw.Length;
                changed = true;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (changed)
        {
            output.Write(utf8[copied..]);
        }

        return true;
    }
}

using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace SupportSignal.Mcp.Loading;

/// <summary>Receives an export as it is read: its metadata first, then every row of every table, as raw JSON.</summary>
internal interface IExportRowSink
{
    void Metadata(JsonElement metadata);

    /// <summary>One row object of <paramref name="table"/>, exactly as the file holds it (UTF-8 JSON, no newline).</summary>
    void Row(string table, ReadOnlySpan<byte> row);
}

/// <summary>A file that is not a readable export; the message names what is wrong, never a row's content.</summary>
public sealed class ExportFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads an export file of any format the engine writes (json, json.gz, zip of jsonl), recognised by its
/// first bytes rather than its name, in one forward pass with memory bounded by the largest row.
/// </summary>
internal static class ExportFileReader
{
    public static void Read(string path, IExportRowSink sink)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ExportFileException($"cannot open {path}: {e.Message}", e);
        }

        using (file)
        {
            Span<byte> magic = stackalloc byte[2];
            var read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (read == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            {
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                Wrap(() => new JsonDocumentReader(gzip).Read(sink), "gzip");
            }
            else if (read == 2 && magic[0] == (byte)'P' && magic[1] == (byte)'K')
            {
                Wrap(() => ReadZip(file, sink), "zip");
            }
            else
            {
                Wrap(() => new JsonDocumentReader(file).Read(sink), "json");
            }
        }
    }

    private static void Wrap(Action read, string format)
    {
        try
        {
            read();
        }
        catch (JsonException e)
        {
            // The reader's message names a line and byte, never the text it choked on.
            throw new ExportFileException($"the file is not a valid {format} export: invalid JSON ({e.Message.Split('.')[0]}, line {e.LineNumber + 1}).", e);
        }
        catch (InvalidDataException e)
        {
            throw new ExportFileException($"the file is not a valid {format} export: {e.Message}", e);
        }
    }

    private static void ReadZip(Stream file, IExportRowSink sink)
    {
        using var zip = new ZipArchive(file, ZipArchiveMode.Read);
        var metadataEntry = zip.GetEntry("metadata.json")
            ?? throw new ExportFileException("the zip holds no metadata.json, so it is not a SupportSignal export.");
        using (var stream = metadataEntry.Open())
        using (var document = JsonDocument.Parse(stream))
        {
            if (!document.RootElement.TryGetProperty("metadata", out var metadata))
            {
                throw new ExportFileException("metadata.json in the zip has no \"metadata\" member.");
            }

            sink.Metadata(metadata);
        }

        const string Prefix = "tables/";
        const string Suffix = ".jsonl";
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.StartsWith(Prefix, StringComparison.Ordinal) && entry.FullName.EndsWith(Suffix, StringComparison.Ordinal))
            {
                var table = entry.FullName[Prefix.Length..^Suffix.Length];
                using var stream = entry.Open();
                ReadLines(stream, line => sink.Row(table, line));
            }
        }
    }

    private delegate void LineAction(ReadOnlySpan<byte> line);

    private static void ReadLines(Stream stream, LineAction each)
    {
        var buffer = new byte[1 << 20];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, Grow(buffer.Length));
            }

            var read = stream.Read(buffer, length, buffer.Length - length);
            length += read;
            var start = 0;
            int newline;
            while ((newline = buffer.AsSpan(start, length - start).IndexOf((byte)'\n')) >= 0)
            {
                var line = buffer.AsSpan(start, newline).TrimEnd((byte)'\r');
                if (!line.IsEmpty)
                {
                    each(line);
                }

                start += newline + 1;
            }

            if (read == 0)
            {
                if (length > start)
                {
                    each(buffer.AsSpan(start, length - start));
                }

                return;
            }

            Buffer.BlockCopy(buffer, start, buffer, 0, length - start);
            length -= start;
        }
    }

    internal static int Grow(int size) =>
        size < MaxValueBytes / 2 ? size * 2
        : size < MaxValueBytes ? MaxValueBytes
        : throw new ExportFileException($"a single row is larger than {MaxValueBytes / (1 << 20)} MB; this server does not load rows that large.");

    private const int MaxValueBytes = 512 << 20;

    /// <summary>
    /// The metadata-plus-data document, streamed: each step reads one token or one whole value; a step
    /// that runs out of buffered bytes is taken again from its start once more bytes are in.
    /// </summary>
    private sealed class JsonDocumentReader(Stream stream)
    {
        private enum Phase
        {
            Start,
            Root,
            Data,
            Table,
            Done,
        }

        private byte[] _buffer = new byte[1 << 20];
        private int _length;
        private bool _final;

        public void Read(IExportRowSink sink)
        {
            var phase = Phase.Start;
            string? table = null;
            var sawMetadata = false;
            var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 256 });
            var offset = 0;
            Fill();
            while (true)
            {
                // Never a final block: a document cut short then runs out of tokens (reported as such) instead of failing to parse.
                var reader = new Utf8JsonReader(_buffer.AsSpan(offset, _length - offset), isFinalBlock: false, state);
                var committed = 0L;
                var committedState = state;
                var source = _buffer.AsSpan(offset, _length - offset);
                while (phase != Phase.Done && Step(ref reader, source, ref phase, ref table, ref sawMetadata, sink))
                {
                    committed = reader.BytesConsumed;
                    committedState = reader.CurrentState;
                }

                if (phase == Phase.Done)
                {
                    return;
                }

                if (_final)
                {
                    throw new ExportFileException(table is null
                        ? "the file ends before the export document does (is it cut short?)."
                        : $"the file ends in the middle of table {table} (is it cut short?).");
                }

                offset += (int)committed;
                state = committedState;
                Buffer.BlockCopy(_buffer, offset, _buffer, 0, _length - offset);
                _length -= offset;
                offset = 0;
                if (_length == _buffer.Length)
                {
                    Array.Resize(ref _buffer, Grow(_buffer.Length));
                }

                Fill();
            }
        }

        /// <summary>Takes one step; false when the buffer ran out before the step was complete.</summary>
        private static bool Step(ref Utf8JsonReader reader, ReadOnlySpan<byte> source, ref Phase phase, ref string? table, ref bool sawMetadata, IExportRowSink sink)
        {
            if (!reader.Read())
            {
                return false;
            }

            switch (phase)
            {
                case Phase.Start:
                    Expect(reader.TokenType == JsonTokenType.StartObject, "it does not start with a JSON object");
                    phase = Phase.Root;
                    return true;

                case Phase.Root when reader.TokenType == JsonTokenType.EndObject:
                    Expect(sawMetadata, "it has no \"metadata\" member");
                    phase = Phase.Done;
                    return true;

                case Phase.Root when reader.ValueTextEquals("metadata"u8):
                    {
                        if (!reader.Read())
                        {
                            return false;
                        }

                        var start = (int)reader.TokenStartIndex;
                        if (!reader.TrySkip())
                        {
                            return false;
                        }

                        using var document = JsonDocument.Parse(source[start..(int)reader.BytesConsumed].ToArray());
                        Expect(document.RootElement.ValueKind == JsonValueKind.Object, "its \"metadata\" is not an object");
                        sink.Metadata(document.RootElement);
                        sawMetadata = true;
                        return true;
                    }

                case Phase.Root when reader.ValueTextEquals("data"u8):
                    Expect(sawMetadata, "\"data\" comes before \"metadata\"");
                    if (!reader.Read())
                    {
                        return false;
                    }

                    Expect(reader.TokenType == JsonTokenType.StartObject, "its \"data\" is not an object");
                    phase = Phase.Data;
                    return true;

                case Phase.Root:
                    // A member this reader does not know: skipped whole.
                    return reader.Read() && reader.TrySkip();

                case Phase.Data when reader.TokenType == JsonTokenType.EndObject:
                    phase = Phase.Root;
                    return true;

                case Phase.Data:
                    {
                        var name = reader.GetString()!;
                        if (!reader.Read())
                        {
                            return false;
                        }

                        Expect(reader.TokenType == JsonTokenType.StartArray, $"data.{name} is not an array");
                        table = name;
                        phase = Phase.Table;
                        return true;
                    }

                case Phase.Table when reader.TokenType == JsonTokenType.EndArray:
                    table = null;
                    phase = Phase.Data;
                    return true;

                case Phase.Table:
                    {
                        Expect(reader.TokenType == JsonTokenType.StartObject, $"a row of data.{table} is not an object");
                        var start = (int)reader.TokenStartIndex;
                        if (!reader.TrySkip())
                        {
                            return false;
                        }

                        sink.Row(table!, source[start..(int)reader.BytesConsumed]);
                        return true;
                    }

                default:
                    return false;
            }
        }

        private static void Expect(bool condition, string problem)
        {
            if (!condition)
            {
                throw new ExportFileException($"the file is not a SupportSignal export: {problem}.");
            }
        }

        private void Fill()
        {
            while (_length < _buffer.Length)
            {
                var read = stream.Read(_buffer, _length, _buffer.Length - _length);
                if (read == 0)
                {
                    _final = true;
                    return;
                }

                _length += read;
            }
        }
    }
}

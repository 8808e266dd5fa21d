using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;

using Parquet;
using Parquet.Meta;
using Parquet.Serialization;

namespace SupportSignal.Testing;

/// <summary>One table's Parquet file as Parquet.Net reads it: the footer (schema, row groups) and every row.</summary>
public sealed record ParquetTableFile(string Table, FileMetaData Footer, IList<Dictionary<string, object>> Rows)
{
    /// <summary>The leaf schema elements (the columns), in file order.</summary>
    public IReadOnlyList<SchemaElement> Columns => Footer.Schema.Skip(1).ToList();

    /// <summary>Every value as JSON text (strings escaped the way the JSON export escapes them), for scanning.</summary>
    public string Text()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var value in Rows.SelectMany(r => r.Values))
            {
                writer.WriteStringValue(value is null ? "" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>Reads the files of a Parquet export (a <c>.parquet.zip</c> or its folder) with Parquet.Net.</summary>
public static class ParquetFiles
{
    public static async Task<ParquetTableFile> ReadAsync(string table, Stream file, CancellationToken cancellationToken = default)
    {
        using var seekable = new MemoryStream();
        await file.CopyToAsync(seekable, cancellationToken);
        seekable.Position = 0;
        FileMetaData footer;
        await using (var reader = await ParquetReader.CreateAsync(seekable, leaveStreamOpen: true, cancellationToken: cancellationToken))
        {
            footer = reader.Metadata!;
        }

        seekable.Position = 0;
        var rows = footer.NumRows == 0
            ? []
            : (await ParquetSerializer.DeserializeUntypedAsync(seekable, cancellationToken: cancellationToken)).Data;
        return new ParquetTableFile(table, footer, rows);
    }

    /// <summary>Every entry of a zip export (<c>metadata.json</c>, <c>tables/…</c>) by its path, as the bytes it holds.</summary>
    public static Dictionary<string, byte[]> ZipEntries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var entry = e.Open();
            using var bytes = new MemoryStream();
            entry.CopyTo(bytes);
            return bytes.ToArray();
        }, StringComparer.Ordinal);
    }

    /// <summary><c>metadata.json</c>'s text and every <c>tables/&lt;name&gt;.parquet</c> of a <c>.parquet.zip</c>.</summary>
    public static async Task<(string Metadata, Dictionary<string, ParquetTableFile> Tables)> ReadZipAsync(byte[] zip, CancellationToken cancellationToken = default)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        string metadata;
        using (var reader = new StreamReader(archive.GetEntry("metadata.json")!.Open()))
        {
            metadata = await reader.ReadToEndAsync(cancellationToken);
        }

        var tables = new Dictionary<string, ParquetTableFile>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries.Where(e => e.FullName.StartsWith("tables/", StringComparison.Ordinal)))
        {
            var name = entry.FullName["tables/".Length..^".parquet".Length];
            await using var stream = entry.Open();
            tables[name] = await ReadAsync(name, stream, cancellationToken);
        }

        return (metadata, tables);
    }
}

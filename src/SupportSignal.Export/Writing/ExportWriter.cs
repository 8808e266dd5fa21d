using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

using SupportSignal.Export.Reading;

namespace SupportSignal.Export.Writing;

/// <summary>How many rows of a table were written and, in the JSON document, how many bytes they took with the table's framing (0 in a zip).</summary>
internal delegate void TableWritten(TablePlan plan, long rows, long bytes);

/// <summary>
/// Writes the export in each format (docs/export-format.md): the metadata-plus-data document,
/// plain or gzip-compressed, or a zip (or, for Parquet, a folder) of metadata.json and one JSON
/// Lines or Parquet file per table. The one
/// place the document's framing is written: the export and the size estimate both come through here.
/// </summary>
internal static class ExportWriter
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <param name="tableWritten">Told about every table; null checks each table's rows against the metadata's count.</param>
    public static async Task WriteAsync(
        ExportFormat format, Snapshot snapshot, Stream stream, DocumentMetadata metadata, IReadOnlyList<TablePlan> plans,
        CancellationToken cancellationToken, ProgressReporter? progress = null, TableWritten? tableWritten = null)
    {
        tableWritten ??= (plan, rows, _) => CheckCount(plan, metadata, rows);
        if (format is ExportFormat.Zip or ExportFormat.Parquet)
        {
            await WriteZipAsync(format, stream, metadata, plans, FilesFrom(format, snapshot.Rows, progress), tableWritten, progress, cancellationToken);
            return;
        }

        await WriteDocumentAsync(format, stream, metadata, plans, async (plan, target, token) =>
        {
            await using var writer = new Utf8JsonWriter(target, WriterOptions);
            var output = JsonOutput.Document(writer, progress);
            writer.WriteStartArray();
            var rows = await snapshot.Rows.WriteRowsAsync(plan, output, token);
            writer.WriteEndArray();
            await writer.FlushAsync(token);
            return (rows, writer.BytesCommitted);
        }, tableWritten, progress, cancellationToken);
    }

    /// <summary>Writes one table's rows, as a JSON array, into the document; returns the rows and the bytes written.</summary>
    public delegate Task<(long Rows, long Bytes)> TableArrayWriter(TablePlan plan, Stream document, CancellationToken cancellationToken);

    /// <summary>
    /// The metadata-plus-data document (json, or json.gz): <c>{"metadata": {...}, "data": {"table": [rows], ...}}</c>,
    /// each table's array from <paramref name="writeTable"/>, in the order of <paramref name="plans"/>. The serial
    /// export and the parallel readers both write the document through here.
    /// </summary>
    public static async Task WriteDocumentAsync(
        ExportFormat format, Stream stream, DocumentMetadata metadata, IReadOnlyList<TablePlan> plans, TableArrayWriter writeTable,
        TableWritten tableWritten, ProgressReporter? progress, CancellationToken cancellationToken)
    {
        if (format == ExportFormat.JsonGz)
        {
            await using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            await WriteDocumentAsync(ExportFormat.Json, gzip, metadata, plans, writeTable, tableWritten, progress, cancellationToken);
            return;
        }

        await using (var head = new Utf8JsonWriter(stream, WriterOptions))
        {
            head.WriteStartObject();
            MetadataWriter.Write(head, metadata);
            head.WriteStartObject("data");
            await head.FlushAsync(cancellationToken);
        }

        for (var t = 0; t < plans.Count; t++)
        {
            var plan = plans[t];
            progress?.BeginTable(plan.Table.Name);
            var name = Encoding.UTF8.GetBytes((t == 0 ? "\"" : ",\"") + JsonEncodedText.Encode(plan.Table.Name, WriterOptions.Encoder) + "\":");
            await stream.WriteAsync(name, cancellationToken);
            var (rows, bytes) = await writeTable(plan, stream, cancellationToken);
            tableWritten(plan, rows, name.Length + bytes);
        }

        await stream.WriteAsync("}}"u8.ToArray(), cancellationToken);
    }

    /// <summary>Writes one table's rows as a file of the export (JSON Lines or Parquet); returns the rows written.</summary>
    public delegate Task<long> TableFileWriter(TablePlan plan, Stream file, CancellationToken cancellationToken);

    /// <summary>Each table's file read from <paramref name="rows"/> as it is written: the serial export, and each parallel reader.</summary>
    public static TableFileWriter FilesFrom(ExportFormat format, IRowSource rows, ProgressReporter? progress) =>
        format == ExportFormat.Parquet
            ? (plan, file, token) => ParquetTableWriter.WriteAsync(rows, plan, file, progress, token)
            : async (plan, file, token) =>
            {
                var output = JsonOutput.Lines(file, WriterOptions, progress);
                var written = await rows.WriteRowsAsync(plan, output, token);
                await output.FlushAsync(token);
                return written;
            };

    /// <summary>A zip of the files <see cref="WriteFilesAsync"/> writes, each table's from <paramref name="writeTable"/>.</summary>
    public static async Task WriteZipAsync(
        ExportFormat format, Stream stream, DocumentMetadata metadata, IReadOnlyList<TablePlan> plans, TableFileWriter writeTable, TableWritten tableWritten,
        ProgressReporter? progress, CancellationToken cancellationToken)
    {
        // The zip writer closes entries with small synchronous writes; hold those for the next async one.
        var target = new AsyncOnlyWriteStream(stream);
        await using (var zip = new ZipArchive(target, ZipArchiveMode.Create, leaveOpen: true))
        {
            await WriteFilesAsync(format, new ZipFolder(zip), metadata, plans, writeTable, tableWritten, progress, cancellationToken);
        }

        await target.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The files of a zip or Parquet export, into a zip or a folder: <c>metadata.json</c>, which holds
    /// {"metadata": {...}} so jq paths are the same as in the single document, then one
    /// <c>tables/&lt;name&gt;.jsonl</c> or <c>.parquet</c> per table, in the order of <paramref name="plans"/>,
    /// each written by <paramref name="writeTable"/>.
    /// </summary>
    public static async Task WriteFilesAsync(
        ExportFormat format, IExportFolder folder, DocumentMetadata metadata, IReadOnlyList<TablePlan> plans, TableFileWriter writeTable,
        TableWritten tableWritten, ProgressReporter? progress, CancellationToken cancellationToken)
    {
        await using (var entry = await folder.CreateFileAsync(MetadataFile, cancellationToken))
        await using (var writer = new Utf8JsonWriter(entry, WriterOptions))
        {
            writer.WriteStartObject();
            MetadataWriter.Write(writer, metadata);
            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken);
        }

        foreach (var plan in plans)
        {
            progress?.BeginTable(plan.Table.Name);
            await using var entry = await folder.CreateFileAsync(TableFile(format, plan.Table.Name), cancellationToken);
            tableWritten(plan, await writeTable(plan, entry, cancellationToken), 0);
        }
    }

    public const string MetadataFile = "metadata.json";

    /// <summary><c>tables/&lt;name&gt;.jsonl</c> in a zip export, <c>tables/&lt;name&gt;.parquet</c> in a Parquet one.</summary>
    public static string TableFile(ExportFormat format, string table) => $"tables/{table}.{(format == ExportFormat.Parquet ? "parquet" : "jsonl")}";

    /// <summary>A zip archive as a folder. Parquet files are compressed already, so they are stored as they are.</summary>
    private sealed class ZipFolder(ZipArchive zip) : IExportFolder
    {
        public async Task<Stream> CreateFileAsync(string path, CancellationToken cancellationToken)
        {
            var level = path.EndsWith(".parquet", StringComparison.Ordinal) ? CompressionLevel.NoCompression : CompressionLevel.Fastest;
            return await zip.CreateEntry(path, level).OpenAsync(cancellationToken);
        }
    }

    public static void CheckCount(TablePlan plan, DocumentMetadata metadata, long written)
    {
        var counted = metadata.Counts[plan.Table.Name];
        if (written != counted)
        {
            throw new InvalidOperationException($"{plan.Table.Name}: {written} rows streamed but {counted} counted in the same snapshot.");
        }
    }
}

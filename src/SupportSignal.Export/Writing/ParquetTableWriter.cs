using System.IO.Compression;
using System.Reflection;
using System.Text.Json;

using Parquet;
using Parquet.Meta;
using Parquet.Schema;

using SupportSignal.Export.Reading;

namespace SupportSignal.Export.Writing;

/// <summary>
/// Writes one table as a typed Parquet file (docs/export-format.md, "Parquet"), streaming row groups
/// as rows are read. The rows come from the snapshot's own row source (the same SELECT, stubs,
/// de-identifying transforms and any fast path the source has), which hands each row to typed column
/// buffers: every Parquet value is the JSON export's value in a typed column, with no JSON in between
/// except for JSON-text and de-identified columns, whose value is the JSON export's by construction.
/// </summary>
internal static class ParquetTableWriter
{
    /// <summary>
    /// A row group closes at this many rows (DuckDB's own row-group size, so its parallel scan lines up
    /// with the file's) or at <see cref="RowGroupBytes"/> of row text, whichever comes first.
    /// </summary>
    public const int RowGroupRows = 122_880;

    /// <summary>
    /// The values a row group may buffer (text as UTF-16, 8 bytes a value, 4 a definition level): they are
    /// held while the column chunks are encoded and compressed one by one, and the process's peak grows
    /// by several times this for each table being written (two at once with two readers; docs/benchmarks.md,
    /// "Parquet"), so it is kept small. Not smaller: at 1 MB DuckDB's group-by over the 200,000 incidents
    /// read twice as many row groups and took 68 ms instead of 50.
    /// </summary>
    public const int RowGroupBytes = 2 * 1024 * 1024;

    /// <summary>Snappy (docs/export-format.md, "Row groups and compression"): the codec every Parquet reader takes first.</summary>
    public const CompressionMethod Compression = CompressionMethod.Snappy;

    /// <summary>
    /// The writer's options for one table: string columns (enum names, ids repeated in foreign keys) are
    /// dictionary-encoded where Parquet.Net finds few enough distinct values; JSON text never is.
    /// </summary>
    private static ParquetOptions OptionsFor(ParquetColumn[] columns)
    {
        var options = new ParquetOptions
        {
            CompressionMethod = Compression,
            CompressionLevel = CompressionLevel.Fastest,
            // Parquet.Net's pooled page buffers: by default it keeps up to 80 MB of them free, too much beside a row group.
            MaximumSmallPoolFreeBytes = 4 * 1024 * 1024,
            MaximumLargePoolFreeBytes = 16 * 1024 * 1024,
            // Decide from the first values whether a column repeats enough for a dictionary: a column of prose or
            // keys gives up there, not after hashing most of the row group into a dictionary as large as it.
            DictionaryEncodingSampleSize = 1024,
        };
        foreach (var column in columns.Where(c => c is StringColumn && c.Retype is null))
        {
            options.ColumnEncodingHints[column.Field.Path.ToString()] = EncodingHint.Dictionary;
        }

        return options;
    }

    /// <summary>Streams the plan's rows from <paramref name="source"/> into one Parquet file on <paramref name="output"/>; returns the rows written.</summary>
    public static async Task<long> WriteAsync(
        IRowSource source, TablePlan plan, Stream output, ProgressReporter? progress, CancellationToken cancellationToken)
    {
        var columns = Enumerable.Range(0, plan.Columns.Length).Select(i => ParquetColumn.For(plan, i)).ToArray();
        var schema = new ParquetSchema(columns.Select(c => (Field)c.Field).ToArray());
        // Parquet.Net makes small synchronous writes; they land here and go out once per row group.
        var buffered = new RowGroupOutput(output);
        long rows;
        try
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, buffered, OptionsFor(columns), cancellationToken: cancellationToken);
            SchemaElements.Retype(writer, columns);
            var sink = new RowGroupSink(columns, writer, buffered, progress, ParquetRowGroupsForTests.Bytes ?? RowGroupBytes);
            rows = await source.ReadRowsAsync(plan, sink, cancellationToken);
            await sink.FinishAsync(cancellationToken);
        }
        finally
        {
            foreach (var column in columns)
            {
                column.Release();
            }
        }

        await buffered.DrainAsync(cancellationToken);
        return rows;
    }

    /// <summary>
    /// Fills the column buffers row by row, and writes a row group whenever they hold enough. (Encoding a
    /// full row group on a second thread while the next is read was measured and did not pay on two
    /// shared cores: docs/benchmarks.md, "Parquet".)
    /// </summary>
    private sealed class RowGroupSink(ParquetColumn[] columns, ParquetWriter writer, RowGroupOutput output, ProgressReporter? progress, int rowGroupBytes)
        : IRowReceiver
    {
        private int _rows;

        public void Receive(IExportRow row)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                if (row.IsNull(i))
                {
                    columns[i].AppendNull();
                }
                else
                {
                    columns[i].Append(row, i);
                }
            }

            _rows++;
            progress?.Row();
        }

        public bool ShouldFlush => _rows >= RowGroupRows || BufferedBytes() >= rowGroupBytes;

        public async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            await WriteRowGroupAsync(cancellationToken);
            progress?.Flushed();
        }

        public async Task FinishAsync(CancellationToken cancellationToken)
        {
            if (_rows > 0)
            {
                await WriteRowGroupAsync(cancellationToken);
            }
        }

        private long BufferedBytes()
        {
            long bytes = 0;
            foreach (var column in columns)
            {
                bytes += column.BufferedBytes;
            }

            return bytes;
        }

        private async Task WriteRowGroupAsync(CancellationToken cancellationToken)
        {
            using (var group = writer.CreateRowGroup())
            {
                foreach (var column in columns)
                {
                    await column.WriteAsync(group, cancellationToken);
                    column.Clear();
                }

                group.CompleteValidate();
            }

            SchemaElements.DropLongStatistics(writer);
            _rows = 0;
            await output.DrainAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Holds what Parquet.Net writes (synchronously, in small pieces) until a row group or the footer
    /// is complete, then sends it on with one asynchronous write: the response body of the page allows
    /// no synchronous write, and memory holds at most one compressed row group.
    /// </summary>
    private sealed class RowGroupOutput(Stream inner) : WriteOnlyStream
    {
        private readonly MemoryStream _pending = new();

        public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _pending.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _pending.Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            if (_pending.Length == 0)
            {
                return;
            }

            await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
            _pending.SetLength(0);
        }
    }

    /// <summary>
    /// Applies each column's <see cref="ParquetColumn.Retype"/> to its schema element before the footer is
    /// written. The footer is private to Parquet.Net's writer: a test reads the types back, so a
    /// Parquet.Net that moved it fails the build's tests, not a user's export.
    /// </summary>
    private static class SchemaElements
    {
        private static readonly FieldInfo? FooterField = typeof(ParquetWriter).GetField("_footer", BindingFlags.Instance | BindingFlags.NonPublic);

        // Looked up once, not at every row group.
        private static readonly FieldInfo? FileMetaField = FooterField?.FieldType.GetField("_fileMeta", BindingFlags.Instance | BindingFlags.NonPublic);

        public static void Retype(ParquetWriter writer, ParquetColumn[] columns)
        {
            if (columns.All(c => c.Retype is null))
            {
                return;
            }

            var footer = FooterField?.GetValue(writer);
            var elements = footer?.GetType().GetMethod("GetWriteableSchema")?.Invoke(footer, null) as SchemaElement[]
                ?? throw new InvalidOperationException("This Parquet.Net version keeps its schema elsewhere; JSON and timestamp columns cannot be typed.");
            foreach (var column in columns.Where(c => c.Retype is not null))
            {
                column.Retype!(elements.Single(e => e.Name == column.Field.Name));
            }
        }

        /// <summary>
        /// Drops the min/max statistics of the row group just written where either value is longer than
        /// <see cref="MaxStatisticsBytes"/>. Parquet.Net keeps every row group's statistics until the footer
        /// is written, and a prose column's min and max are whole paragraphs: on the 3.2 GB set they grew
        /// the peak by tens of MB, and GUIDs' by about 10 MB more with two tables written at once. Nobody
        /// skips a row group by a paragraph (Arrow leaves such statistics out too); the null count stays,
        /// and numbers, timestamps, dates, booleans and short enum names keep theirs.
        /// </summary>
        public static void DropLongStatistics(ParquetWriter writer)
        {
            var footer = FooterField?.GetValue(writer);
            var metadata = FileMetaField?.GetValue(footer) as FileMetaData
                ?? throw new InvalidOperationException("This Parquet.Net version keeps its footer elsewhere; long statistics cannot be left out.");
            foreach (var chunk in metadata.RowGroups?.LastOrDefault()?.Columns ?? [])
            {
                if (chunk.MetaData?.Statistics is { } statistics
                    && (statistics.MinValue?.Length > MaxStatisticsBytes || statistics.MaxValue?.Length > MaxStatisticsBytes
                        || statistics.Min?.Length > MaxStatisticsBytes || statistics.Max?.Length > MaxStatisticsBytes))
                {
                    statistics.Min = statistics.MinValue = statistics.Max = statistics.MaxValue = null;
                }
            }
        }

        public const int MaxStatisticsBytes = 16;
    }
}

/// <summary>
/// Lets a test bound row groups far below <see cref="ParquetTableWriter.RowGroupBytes"/>, so a small
/// database spans many; only for the asynchronous flow that sets it.
/// </summary>
internal static class ParquetRowGroupsForTests
{
    private static readonly AsyncLocal<int?> Limit = new();

    public static int? Bytes => Limit.Value;

    public static IDisposable LimitTo(int bytes)
    {
        Limit.Value = bytes;
        return new Reset();
    }

    private sealed class Reset : IDisposable
    {
        public void Dispose() => Limit.Value = null;
    }
}

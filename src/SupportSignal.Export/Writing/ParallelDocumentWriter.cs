using System.Data.Common;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

using SupportSignal.Export.Reading;

namespace SupportSignal.Export.Writing;

/// <summary>
/// The document written by several readers in one snapshot, the way <c>pg_dump -j</c> reads: the
/// export's own connection exports its snapshot (PostgreSQL: <c>pg_export_snapshot()</c>), each further
/// connection adopts it (<c>SET TRANSACTION SNAPSHOT</c>), and the readers take tables in document
/// order, each rendering its table's rows into 64 KB chunks. One writer keeps the order: it copies
/// the chunks of the first unfinished table to the output, then the next table's, so a table's rows
/// still come out in primary-key order and tables in dependency order, byte for byte as the serial
/// writer puts them. A reader may run at most <see cref="ChunksAhead"/> chunks ahead of the writer,
/// so memory stays bounded (readers × chunks × 64 KB) whatever the table sizes.
/// </summary>
internal static class ParallelDocumentWriter
{
    private const int ChunksAhead = 8;

    public static async Task WriteAsync(
        Snapshot snapshot, int readers, bool gzip, Stream stream, DocumentMetadata metadata, IReadOnlyList<TablePlan> plans,
        ProgressReporter? progress, CancellationToken cancellationToken)
    {
        if (!gzip)
        {
            await WriteAsync(snapshot, readers, stream, metadata, plans, progress, cancellationToken);
            return;
        }

        await using var compressed = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
        await WriteAsync(snapshot, readers, compressed, metadata, plans, progress, cancellationToken);
    }

    private static async Task WriteAsync(
        Snapshot snapshot, int readers, Stream stream, DocumentMetadata metadata, IReadOnlyList<TablePlan> plans,
        ProgressReporter? progress, CancellationToken cancellationToken)
    {
        var options = ExportWriter.WriterOptions;
        var (connection, transaction, dialect) = (snapshot.Connection, snapshot.Transaction, snapshot.Dialect);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var followers = new List<(DbConnection Connection, DbTransaction Transaction)>();
        var tables = plans.Select(_ => Channel.CreateBounded<Chunk>(new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true })).ToArray();
        var workers = new List<Task>();
        try
        {
            var snapshotId = await dialect.ExportSnapshotAsync(connection, transaction, cancellationToken);
            for (var i = 1; i < Math.Min(readers, plans.Count); i++)
            {
                followers.Add(await dialect.AdoptSnapshotAsync(connection, snapshotId, cancellationToken));
            }

            var next = -1;
            workers.AddRange(followers.Prepend((Connection: connection, Transaction: transaction))
                .Select(reader => Task.Run(() => ReadTablesAsync(
                    reader.Connection, reader.Transaction, dialect.ReadsTextAsUtf8, plans, tables, options, () => Interlocked.Increment(ref next), stop.Token))));

            await using (var head = new Utf8JsonWriter(stream, options))
            {
                head.WriteStartObject();
                MetadataWriter.Write(head, metadata);
                head.WriteStartObject("data");
                await head.FlushAsync(cancellationToken);
            }

            for (var t = 0; t < plans.Count; t++)
            {
                progress?.BeginTable(plans[t].Table.Name);
                await stream.WriteAsync(Encoding.UTF8.GetBytes((t == 0 ? "\"" : ",\"") + plans[t].Table.Name + "\":"), cancellationToken);
                long rows = 0;
                await foreach (var chunk in tables[t].Reader.ReadAllAsync(cancellationToken))
                {
                    await stream.WriteAsync(chunk.Bytes, cancellationToken);
                    rows += chunk.Rows;
                }

                progress?.Rows(rows);
                ExportWriter.CheckCount(plans[t], metadata, rows);
            }

            await stream.WriteAsync("}}"u8.ToArray(), cancellationToken);
            await Task.WhenAll(workers);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
            foreach (var (followerConnection, followerTransaction) in followers)
            {
                await followerTransaction.DisposeAsync();
                await followerConnection.DisposeAsync();
            }
        }
    }

    // One reader: takes the next table nobody has taken, renders it into its channel, and repeats.
    private static async Task ReadTablesAsync(
        DbConnection connection, DbTransaction transaction, bool textAsUtf8, IReadOnlyList<TablePlan> plans, Channel<Chunk>[] tables,
        JsonWriterOptions options, Func<int> take, CancellationToken cancellationToken)
    {
        var rows = new DataReaderRowSource(sql => Snapshot.CreateCommand(connection, transaction, sql), textAsUtf8);
        for (var t = take(); t < plans.Count; t = take())
        {
            var channel = tables[t].Writer;
            try
            {
                var chunks = new ChunkStream(channel);
                await using (var writer = new Utf8JsonWriter(chunks, options))
                {
                    writer.WriteStartArray();
                    var written = await rows.WriteRowsAsync(plans[t], JsonOutput.Document(writer), cancellationToken);
                    writer.WriteEndArray();
                    await writer.FlushAsync(cancellationToken);
                    await channel.WriteAsync(new Chunk(ReadOnlyMemory<byte>.Empty, written), cancellationToken);
                }

                channel.Complete();
            }
            catch (Exception e)
            {
                channel.TryComplete(e);
                // The writer stops at this table; the other readers are stopped by the caller.
                for (var rest = take(); rest < plans.Count; rest = take())
                {
                    tables[rest].Writer.TryComplete(e);
                }

                throw;
            }
        }
    }

    private readonly record struct Chunk(ReadOnlyMemory<byte> Bytes, long Rows);

    /// <summary>What a reader's JSON writer flushes becomes one chunk (a copy: the writer reuses its buffer).</summary>
    private sealed class ChunkStream(ChannelWriter<Chunk> channel) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!buffer.IsEmpty)
            {
                await channel.WriteAsync(new Chunk(buffer.ToArray(), 0), cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException("Readers write asynchronously.");

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

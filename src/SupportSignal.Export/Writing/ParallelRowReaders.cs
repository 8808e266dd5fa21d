using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;

using SupportSignal.Export.Diagnostics;
using SupportSignal.Export.Reading;

namespace SupportSignal.Export.Writing;

/// <summary>
/// Several readers in one snapshot, the way <c>pg_dump -j</c> reads: the export's own connection
/// shares its snapshot (<see cref="SqlDialect.ShareSnapshotAsync"/>: PostgreSQL's
/// <c>pg_export_snapshot()</c>, SQLite's <c>sqlite3_snapshot_open</c>) and each further connection
/// reads exactly that version. Tables are cut into stripes of consecutive keys where the dialect can
/// (<see cref="SqlDialect.StripesAsync"/>), and the readers take stripes in document order, each
/// rendering its stripe's rows into 64 KB chunks. <see cref="ExportWriter"/> writes the document's
/// framing as for a serial export and copies each table's stripes in order in between, so the file
/// is byte for byte the serial one. At most <see cref="StripesAhead"/> stripes per reader are read
/// ahead of the writer, so memory stays bounded whatever the table sizes.
/// </summary>
internal sealed class ParallelRowReaders : IAsyncDisposable
{
    /// <summary>Rows per stripe: about 0.2-2 MB of JSON on these tables, so one reader can run a whole stripe ahead of the writer.</summary>
    public const int RowsPerStripe = 512;

    private const int StripesAhead = 2;
    private const int ChunksPerStripe = 64;
    private static readonly ReadOnlyMemory<byte> Comma = ","u8.ToArray();

    private readonly SnapshotShare _share;
    private readonly List<TablePlan> _stripePlans;
    private readonly int[] _firstStripe;
    private readonly Channel<Chunk>?[] _stripes;
    private readonly SemaphoreSlim _ahead;
    private readonly CancellationTokenSource _stop;
    private readonly List<(DbConnection Connection, DbTransaction Transaction)> _followers = [];
    private readonly List<Task> _workers = [];
    private int _next = -1;

    private ParallelRowReaders(SnapshotShare share, List<TablePlan> stripePlans, int[] firstStripe, int readers, CancellationToken cancellationToken)
    {
        _share = share;
        _stripePlans = stripePlans;
        _firstStripe = firstStripe;
        _stripes = stripePlans.Select(_ => Channel.CreateBounded<Chunk>(new BoundedChannelOptions(ChunksPerStripe) { SingleReader = true, SingleWriter = true })).ToArray();
        _ahead = new SemaphoreSlim(StripesAhead * readers);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Starts <paramref name="readers"/> readers (the export's connection and further ones); null when the snapshot cannot be shared.</summary>
    public static async Task<ParallelRowReaders?> StartAsync(
        Snapshot snapshot, int readers, IReadOnlyList<TablePlan> plans, DocumentMetadata metadata, int rowsPerStripe, CancellationToken cancellationToken)
    {
        var share = await snapshot.Dialect.ShareSnapshotAsync(snapshot.Connection, snapshot.Transaction, cancellationToken);
        if (share is null)
        {
            return null;
        }

        ParallelRowReaders? started = null;
        try
        {
            var stripePlans = new List<TablePlan>();
            var firstStripe = new int[plans.Count + 1];
            for (var t = 0; t < plans.Count; t++)
            {
                firstStripe[t] = stripePlans.Count;
                var stripes = await snapshot.Dialect.StripesAsync(
                    snapshot.Connection, snapshot.Transaction, plans[t], metadata.Counts[plans[t].Table.Name], rowsPerStripe, cancellationToken);
                stripePlans.AddRange(stripes.Count == 0 ? [plans[t]] : stripes.Select(plans[t].Stripe));
            }

            firstStripe[plans.Count] = stripePlans.Count;
            StartupTrace.Mark("tables cut into stripes");
            started = new ParallelRowReaders(share, stripePlans, firstStripe, readers, cancellationToken);
            for (var i = 1; i < Math.Min(readers, stripePlans.Count); i++)
            {
                if (await share.AdoptAsync(cancellationToken) is not { } follower)
                {
                    // Committed to meanwhile with no version recorded to go back to: read on the export's connection.
                    await started.DisposeAsync();
                    return null;
                }

                started._followers.Add(follower);
            }

            foreach (var (connection, transaction) in started._followers.Prepend((snapshot.Connection, snapshot.Transaction)))
            {
                var rows = snapshot.RowsOn(connection, transaction);
                started._workers.Add(Task.Run(() => started.ReadStripesAsync(rows, started._stop.Token)));
            }

            return started;
        }
        catch
        {
            if (started is null)
            {
                await share.DisposeAsync();
            }
            else
            {
                await started.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>
    /// Copies the rows of table <paramref name="table"/> (its array's content, without the brackets)
    /// to <paramref name="stream"/>, stripe after stripe; returns the rows and the bytes copied.
    /// </summary>
    public async Task<(long Rows, long Bytes)> CopyTableAsync(int table, Stream stream, CancellationToken cancellationToken)
    {
        long rows = 0, bytes = 0;
        for (var s = _firstStripe[table]; s < _firstStripe[table + 1]; s++)
        {
            var started = false;
            await foreach (var chunk in _stripes[s]!.Reader.ReadAllAsync(cancellationToken))
            {
                if (!chunk.Bytes.IsEmpty)
                {
                    // A stripe's rows follow the rows before it as array elements.
                    if (!started && rows > 0)
                    {
                        await stream.WriteAsync(Comma, cancellationToken);
                        bytes++;
                    }

                    started = true;
                    await stream.WriteAsync(chunk.Bytes, cancellationToken);
                    bytes += chunk.Bytes.Length;
                }

                rows += chunk.Rows;
            }

            _stripes[s] = null;
            _ahead.Release();
        }

        return (rows, bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        foreach (var (connection, transaction) in _followers)
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }

        await _share.DisposeAsync();
        _stop.Dispose();
        _ahead.Dispose();
    }

    /// <summary>The connections reading: the export's own and the further ones.</summary>
    public int Readers => _workers.Count;

    /// <summary>Waits for the readers: a failure of one is the export's failure.</summary>
    public Task CompletedAsync() => Task.WhenAll(_workers);

    // One reader: takes the next stripe nobody has taken (once the writer is close enough), renders it into its channel, and repeats.
    private async Task ReadStripesAsync(IRowSource rows, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _ahead.WaitAsync(cancellationToken);
            var s = Interlocked.Increment(ref _next);
            if (s >= _stripePlans.Count)
            {
                return;
            }

            var channel = _stripes[s]!.Writer;
            try
            {
                var chunks = new StripeStream(channel);
                await using (var writer = new Utf8JsonWriter(chunks, ExportWriter.WriterOptions))
                {
                    writer.WriteStartArray();
                    var written = await rows.WriteRowsAsync(_stripePlans[s], JsonOutput.Document(writer), cancellationToken);
                    writer.WriteEndArray();
                    await writer.FlushAsync(cancellationToken);
                    await chunks.CompleteAsync(written, cancellationToken);
                }

                channel.Complete();
            }
            catch (Exception e)
            {
                channel.TryComplete(e);
                // The writer stops at this stripe; the other readers are stopped when it disposes of this.
                for (var rest = Interlocked.Increment(ref _next); rest < _stripePlans.Count; rest = Interlocked.Increment(ref _next))
                {
                    _stripes[rest]?.Writer.TryComplete(e);
                }

                throw;
            }
        }
    }

    private readonly record struct Chunk(ReadOnlyMemory<byte> Bytes, long Rows);

    /// <summary>
    /// What a reader's JSON writer flushes, as chunks of the stripe's array content: the opening
    /// bracket is dropped, and the last chunk is held back until the end so its closing bracket can
    /// be dropped too. Each chunk is a copy (the writer reuses its buffer).
    /// </summary>
    private sealed class StripeStream(ChannelWriter<Chunk> channel) : Stream
    {
        private bool _opened;
        private byte[]? _held;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_opened && !buffer.IsEmpty)
            {
                buffer = buffer[1..];
                _opened = true;
            }

            if (buffer.IsEmpty)
            {
                return;
            }

            if (_held is not null)
            {
                await channel.WriteAsync(new Chunk(_held, 0), cancellationToken);
            }

            _held = buffer.ToArray();
        }

        /// <summary>Sends the held chunk without its closing bracket, then the stripe's row count.</summary>
        public async ValueTask CompleteAsync(long rows, CancellationToken cancellationToken)
        {
            if (_held is { Length: > 1 })
            {
                await channel.WriteAsync(new Chunk(_held.AsMemory(0, _held.Length - 1), 0), cancellationToken);
            }

            await channel.WriteAsync(new Chunk(ReadOnlyMemory<byte>.Empty, rows), cancellationToken);
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

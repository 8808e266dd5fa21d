using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;

using SupportSignal.Export.Reading;

namespace SupportSignal.Export.Writing;

/// <summary>
/// The document (or a Parquet export's files) written by several readers in one snapshot, the way <c>pg_dump -j</c> reads: the
/// export's own connection shares its snapshot (<see cref="SqlDialect.ShareSnapshotAsync"/>; PostgreSQL:
/// <c>pg_export_snapshot()</c> and <c>SET TRANSACTION SNAPSHOT</c>; SQLite in WAL mode:
/// <c>sqlite3_snapshot_get</c> and <c>sqlite3_snapshot_open</c>), and the readers take tables in document
/// order. One writer keeps the order: it writes the first unfinished table, then the next, so a
/// table's rows still come out in primary-key order and tables in dependency order, byte for byte as
/// the serial writer puts them. A Parquet export's reader writes the table's whole file (a zip entry,
/// or a file of the CLI's folder) the way the serial export does, so those bytes are the serial ones too.
/// <para>
/// A reader that takes a table when every earlier table has been read streams it to the writer in
/// chunks (64 KB of JSON, or one Parquet row group), at most <see cref="ChunksAhead"/> ahead. A reader that takes a table while an
/// earlier one is still being read would have to wait for the writer, so it spills the table to a
/// temporary file instead (owner-only, deleted on close), which the writer copies when it gets
/// there. Readers never wait for each other, and memory stays bounded (readers × chunks)
/// whatever the table sizes; the temporary files take at most the size of the tables read ahead.
/// </para>
/// </summary>
internal static class ParallelDocumentWriter
{
    private const int ChunksAhead = 8;

    /// <summary>
    /// Writes the export in its format with up to <paramref name="readers"/> connections (several for the
    /// document, json or json.gz, and a Parquet zip); with one, or when the snapshot cannot be shared after all
    /// (<see cref="SqlDialect.ShareSnapshotAsync"/>), the serial export on the export's own connection.
    /// Returns how many connections read.
    /// </summary>
    public static Task<int> WriteAsync(
        Snapshot snapshot, int readers, string spillDirectory, ExportFormat format, Stream stream, DocumentMetadata metadata, IReadOnlyList<TablePlan> plans,
        ProgressReporter? progress, CancellationToken cancellationToken) =>
        ReadAsync(
            snapshot, readers, spillDirectory, format, plans,
            serial: () => ExportWriter.WriteAsync(format, snapshot, stream, metadata, plans, cancellationToken, progress),
            write: nextTable => format == ExportFormat.Parquet
                ? ExportWriter.WriteZipAsync(format, stream, metadata, plans, Copied(nextTable, progress), Checked(metadata), progress, cancellationToken)
                : ExportWriter.WriteDocumentAsync(format, stream, metadata, plans, async (plan, document, token) =>
                {
                    var rows = await nextTable(document, token);
                    progress?.Rows(rows);
                    return (rows, 0);
                }, Checked(metadata), progress, cancellationToken),
            cancellationToken);

    /// <summary>A Parquet export's files into a folder, read by up to <paramref name="readers"/> connections; returns how many read.</summary>
    public static Task<int> WriteFilesAsync(
        Snapshot snapshot, int readers, string spillDirectory, IExportFolder folder, DocumentMetadata metadata, IReadOnlyList<TablePlan> plans,
        ProgressReporter? progress, CancellationToken cancellationToken) =>
        ReadAsync(
            snapshot, readers, spillDirectory, ExportFormat.Parquet, plans,
            serial: () => ExportWriter.WriteFilesAsync(
                ExportFormat.Parquet, folder, metadata, plans, ExportWriter.FilesFrom(ExportFormat.Parquet, snapshot.Rows, progress), Checked(metadata), progress, cancellationToken),
            write: nextTable => ExportWriter.WriteFilesAsync(
                ExportFormat.Parquet, folder, metadata, plans, Copied(nextTable, progress), Checked(metadata), progress, cancellationToken),
            cancellationToken);

    /// <summary>The next table's rows copied into <c>output</c> as a reader wrote them; returns its row count.</summary>
    private delegate Task<long> NextTable(Stream output, CancellationToken cancellationToken);

    private static ExportWriter.TableFileWriter Copied(NextTable nextTable, ProgressReporter? progress) => async (_, file, token) =>
    {
        var rows = await nextTable(file, token);
        progress?.Rows(rows);
        return rows;
    };

    private static TableWritten Checked(DocumentMetadata metadata) => (plan, rows, _) => ExportWriter.CheckCount(plan, metadata, rows);

    private static async Task<int> ReadAsync(
        Snapshot snapshot, int readers, string spillDirectory, ExportFormat format, IReadOnlyList<TablePlan> plans,
        Func<Task> serial, Func<NextTable, Task> write, CancellationToken cancellationToken)
    {
        if (readers < 2)
        {
            await serial();
            return 1;
        }

        await using var share = await snapshot.Dialect.ShareSnapshotAsync(snapshot.Connection, snapshot.Transaction, cancellationToken);
        var followers = new List<(DbConnection Connection, DbTransaction Transaction)>();
        try
        {
            for (var i = 1; share is not null && i < Math.Min(readers, plans.Count); i++)
            {
                if (await share.AdoptAsync(cancellationToken) is not { } follower)
                {
                    // Committed to meanwhile with no version recorded to go back to: the export's connection reads alone.
                    break;
                }

                followers.Add(follower);
            }

            if (followers.Count == 0)
            {
                await serial();
                return 1;
            }

            await ReadAsync(snapshot, followers, spillDirectory, format, plans, write, cancellationToken);
            return followers.Count + 1;
        }
        finally
        {
            foreach (var (followerConnection, followerTransaction) in followers)
            {
                await followerTransaction.DisposeAsync();
                await followerConnection.DisposeAsync();
            }
        }
    }

    private static async Task ReadAsync(
        Snapshot snapshot, List<(DbConnection Connection, DbTransaction Transaction)> followers, string spillDirectory, ExportFormat format,
        IReadOnlyList<TablePlan> plans, Func<NextTable, Task> write, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tables = new Tables(plans.Count, spillDirectory);
        var workers = new List<Task>();
        try
        {
            workers.AddRange(followers.Prepend((snapshot.Connection, snapshot.Transaction))
                .Select(reader => snapshot.RowsOn(reader.Connection, reader.Transaction))
                .Select(rows => Task.Run(() => ReadTablesAsync(TableFrom(format, rows), plans, tables, stop.Token))));

            var next = 0;
            await write((output, token) => tables[next++].CopyToAsync(output, token));
            await Task.WhenAll(workers);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
            tables.Dispose();
        }
    }

    // What a reader writes for one table: its JSON array for the document, its Parquet file for a Parquet export.
    // Progress is the writer's to report (as it copies each table), never a reader's.
    private static ExportWriter.TableFileWriter TableFrom(ExportFormat format, IRowSource rows) =>
        format == ExportFormat.Parquet
            ? ExportWriter.FilesFrom(format, rows, progress: null)
            : async (plan, target, token) =>
            {
                await using var writer = new Utf8JsonWriter(target, ExportWriter.WriterOptions);
                writer.WriteStartArray();
                var written = await rows.WriteRowsAsync(plan, JsonOutput.Document(writer), token);
                writer.WriteEndArray();
                await writer.FlushAsync(token);
                return written;
            };

    // One reader: takes the next table nobody has taken, streams or spills it, and repeats.
    private static async Task ReadTablesAsync(
        ExportWriter.TableFileWriter readTable, IReadOnlyList<TablePlan> plans, Tables tables, CancellationToken cancellationToken)
    {
        for (var t = tables.Take(); t < plans.Count; t = tables.Take())
        {
            try
            {
                var table = tables[t];
                // The spill file belongs to the table (the writer copies, then closes it); a chunk stream holds nothing.
                var target = tables.AllReadBefore(t) ? table.Stream(cancellationToken) : table.Spill();
                // Only once the table's writer is done (a JSON writer's dispose flushes the target again): the
                // writer may copy and close a spill file as soon as it hears the table is finished.
                table.Finish(await readTable(plans[t], target, cancellationToken));
                tables.MarkRead(t);
            }
            catch (Exception e)
            {
                // The writer stops at this table; the other readers are stopped by the caller.
                tables[t].Fail(e);
                for (var rest = tables.Take(); rest < plans.Count; rest = tables.Take())
                {
                    tables[rest].Fail(e);
                }

                throw;
            }
        }
    }

    /// <summary>The tables in document order: which reader takes the next, and which have been read to their end.</summary>
    private sealed class Tables(int count, string spillDirectory) : IDisposable
    {
        private readonly Table[] _tables = Enumerable.Range(0, count).Select(_ => new Table(spillDirectory)).ToArray();
        private readonly bool[] _read = new bool[count];
        private int _next = -1;

        public Table this[int index] => _tables[index];

        public int Take() => Interlocked.Increment(ref _next);

        public void MarkRead(int index) => Volatile.Write(ref _read[index], true);

        public bool AllReadBefore(int index)
        {
            for (var i = 0; i < index; i++)
            {
                if (!Volatile.Read(ref _read[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public void Dispose()
        {
            foreach (var table in _tables)
            {
                table.Dispose();
            }
        }
    }

    /// <summary>
    /// One table's rows on their way to the writer: streamed through a bounded channel, or spilled to
    /// a temporary file that the writer copies once the table has been read to its end.
    /// </summary>
    private sealed class Table(string spillDirectory) : IDisposable
    {
        private readonly Channel<Chunk> _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true });
        private readonly TaskCompletionSource<FileStream?> _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<long> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private FileStream? _spill;

        public Stream Stream(CancellationToken stop)
        {
            _taken.TrySetResult(null);
            return new ChunkStream(_chunks.Writer, stop);
        }

        public Stream Spill()
        {
            var spill = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                Options = FileOptions.DeleteOnClose,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows())
            {
                spill.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                Directory.CreateDirectory(spillDirectory);
                _spill = new FileStream(Path.Combine(spillDirectory, $"supportsignal-export-{Guid.NewGuid():N}.part"), spill);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ExportSpillException(spillDirectory, e);
            }

            _taken.TrySetResult(_spill);
            return new SpillWriter(_spill, spillDirectory);
        }

        public void Finish(long rows)
        {
            _finished.TrySetResult(rows);
            _chunks.Writer.TryComplete();
        }

        public void Fail(Exception error)
        {
            _taken.TrySetException(error);
            _finished.TrySetException(error);
            _chunks.Writer.TryComplete(error);
        }

        /// <summary>Copies the table's rows to the document as they come (streamed) or once read (spilled); returns the row count.</summary>
        public async Task<long> CopyToAsync(Stream output, CancellationToken cancellationToken)
        {
            if (await _taken.Task.WaitAsync(cancellationToken) is { } spill)
            {
                var rows = await _finished.Task.WaitAsync(cancellationToken);
                spill.Position = 0;
                await spill.CopyToAsync(output, 1 << 16, cancellationToken);
                await spill.DisposeAsync();
                return rows;
            }

            await foreach (var chunk in _chunks.Reader.ReadAllAsync(cancellationToken))
            {
                await output.WriteAsync(chunk.Bytes, cancellationToken);
            }

            return await _finished.Task.WaitAsync(cancellationToken);
        }

        public void Dispose() => _spill?.Dispose();
    }

    private readonly record struct Chunk(ReadOnlyMemory<byte> Bytes);

    /// <summary>Writes a spill file; a failed write (disk full, file too large) says it was spilling, not writing the output.</summary>
    private sealed class SpillWriter(FileStream file, string directory) : WriteOnlyStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                file.Write(buffer);
            }
            catch (Exception e) when (IsWriteFailure(e))
            {
                throw new ExportSpillException(directory, e);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                await file.WriteAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (IsWriteFailure(e))
            {
                throw new ExportSpillException(directory, e);
            }
        }

        public override void Flush() => file.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

        // .NET reports EFBIG (the file-size limit) as an ArgumentException.
        private static bool IsWriteFailure(Exception e) => e is IOException or ArgumentException or UnauthorizedAccessException;
    }

    /// <summary>
    /// What a reader's JSON writer flushes becomes one chunk (a copy: the writer reuses its buffer). A write
    /// waiting for room also gives up when the export stops: a writer's dispose flushes with no token, and once
    /// the document's writer has stopped copying, nothing would ever make room (a cancelled export hung on it).
    /// </summary>
    private sealed class ChunkStream(ChannelWriter<Chunk> channel, CancellationToken stop) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty)
            {
                return;
            }

            // The reader's own flushes pass the export's token, which is this one.
            if (!cancellationToken.CanBeCanceled || cancellationToken == stop)
            {
                await channel.WriteAsync(new Chunk(buffer.ToArray()), stop);
                return;
            }

            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop);
            await channel.WriteAsync(new Chunk(buffer.ToArray()), either.Token);
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

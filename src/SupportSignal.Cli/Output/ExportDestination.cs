using System.Text;

using SupportSignal.Export;
using SupportSignal.Export.Writing;

namespace SupportSignal.Cli.Output;

/// <summary>
/// Where an export goes. A file is written as <c>PATH.partial</c> and renamed onto PATH only by
/// <see cref="CommitAsync"/>; disposing without a commit (error, Ctrl-C) deletes the partial
/// file, so PATH is either the complete export or exactly what it was before. A Parquet export
/// to anything but a <c>.zip</c> file or standard output is a folder, written and renamed the same way.
/// </summary>
internal sealed class ExportDestination : IExportTarget, IExportFolder, IAsyncDisposable
{
    public const string StandardOutputPath = "-";
    public const string PartialSuffix = ".partial";

    private readonly string? _target;
    private readonly string? _partial;
    private readonly bool _overwrite;
    private readonly GuardedStream _stream;
    private bool _committed;
    private bool _isFolder;
    private bool _createdFiles;

    private ExportDestination(Stream stream, string name, string? target, string? partial, bool overwrite)
    {
        _stream = new GuardedStream(stream);
        Name = name;
        _target = target;
        _partial = partial;
        _overwrite = overwrite;
    }

    /// <summary>What the export writes to; any failure of a write, flush or close is an <see cref="OutputWriteException"/>.</summary>
    public Stream Stream => _stream;

    /// <summary>True once the export has written to it (a file is deleted on failure whatever this says).</summary>
    public bool HasStarted => _stream.HasWritten || _createdFiles;

    /// <summary>This destination when it is a folder (a Parquet export's files), else null.</summary>
    public IExportFolder? Folder => _isFolder ? this : null;

    /// <summary>The final path, or "standard output".</summary>
    public string Name { get; }

    /// <summary>
    /// Resolves PATH (a file; an existing directory, which gets the request's default name, with its
    /// -segment and -deidentified suffixes; or <c>-</c>) and opens what will be written.
    /// </summary>
    public static ExportDestination Open(string path, ExportRequest request, DateTime utcNow, bool force, CliEnvironment environment, TextWriter stdout)
    {
        if (path == StandardOutputPath)
        {
            var stream = environment.StandardOutput?.Invoke() ?? new TextWriterStream(stdout);
            return new ExportDestination(stream, "standard output", null, null, false);
        }

        if (request.Format == ExportFormat.Parquet && !path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return OpenFolder(path, request, utcNow, force);
        }

        var target = Resolve(path, request, utcNow);
        if (File.Exists(target) && !force)
        {
            throw new CliException(ExitCodes.OutputNotWritable, $"{target} already exists; use --force to overwrite it.");
        }

        var partial = target + PartialSuffix;
        try
        {
            // A stale partial file (a killed run) is replaced. CreateNew after deleting it never follows a
            // link planted at PATH.partial, so an export cannot be redirected onto another file.
            File.Delete(partial);
            var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);
            return new ExportDestination(stream, target, target, partial, force);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.OutputNotWritable, $"Cannot write {partial}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Finishes the file and moves it onto the final path. The move is the commit point: a Ctrl-C
    /// that arrived before it cancels the export even though every row was written.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await Stream.FlushAsync(CancellationToken.None);
        if (_isFolder)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (_overwrite)
                {
                    DeleteEntry(_target!);
                }

                Directory.Move(_partial!, _target!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.OutputNotWritable, $"Cannot move the finished export onto {_target}: {e.Message}", e);
            }

            _committed = true;
            return;
        }

        if (_partial is null)
        {
            _committed = true;
            return;
        }

        await Stream.DisposeAsync();
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            File.Move(_partial, _target!, _overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.OutputNotWritable, $"Cannot move the finished export onto {_target}: {e.Message}", e);
        }

        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_partial is null)
        {
            return;
        }

        if (_committed)
        {
            await Stream.DisposeAsync();
            return;
        }

        try
        {
            // Closing flushes what the file still buffers, which fails again when the disk is full:
            // the error that brought us here is the one to report.
            await Stream.DisposeAsync();
        }
        catch (IOException)
        {
        }

        try
        {
            DeleteEntry(_partial);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Reported by the error that brought us here; a leftover .partial never looks like an export.
        }
    }

    /// <summary>
    /// Creates a file of a folder export inside <c>PATH.partial</c>; a failure to create it is an output
    /// failure like a failed write.
    /// </summary>
    public Task<Stream> CreateFileAsync(string path, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(_partial!) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(root, path));
        if (!full.StartsWith(root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{path} is not inside the export folder.", nameof(path));
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            _createdFiles = true;
            Stream file = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);
            return Task.FromResult<Stream>(new GuardedStream(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException(e);
        }
    }

    /// <summary>
    /// A Parquet export's folder: PATH itself when it does not exist yet or is named <c>*.parquet</c>
    /// (an earlier export's folder, replaced only with --force), else the default name inside the
    /// existing directory PATH (<c>supportsignal-db-export-YYYY-MM-DD-HHmm.parquet</c>).
    /// </summary>
    private static ExportDestination OpenFolder(string path, ExportRequest request, DateTime utcNow, bool force)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var target = Directory.Exists(full) && !full.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)
            ? Path.Combine(full, FolderName(request, utcNow))
            : full;
        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent))
        {
            throw new CliException(ExitCodes.OutputNotWritable, $"The output directory {parent} does not exist.");
        }

        if ((Directory.Exists(target) || File.Exists(target)) && !force)
        {
            throw new CliException(ExitCodes.OutputNotWritable, $"{target} already exists; use --force to replace it.");
        }

        var partial = target + PartialSuffix;
        try
        {
            // A stale partial folder (a killed run) is replaced.
            DeleteEntry(partial);
            Directory.CreateDirectory(partial);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.OutputNotWritable, $"Cannot write {partial}: {e.Message}", e);
        }

        return new ExportDestination(Stream.Null, target, target, partial, force) { _isFolder = true };
    }

    /// <summary><c>supportsignal-db-export-YYYY-MM-DD-HHmm[-segment][-deidentified].parquet</c>: the zip's name without <c>.zip</c>.</summary>
    public static string FolderName(ExportRequest request, DateTime utcNow) => Path.GetFileNameWithoutExtension(request.FileName(utcNow));

    private static void DeleteEntry(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    private static string Resolve(string path, ExportRequest request, DateTime utcNow)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return Path.Combine(full, request.FileName(utcNow));
        }

        if (path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar))
        {
            throw new CliException(ExitCodes.OutputNotWritable, $"The output directory {full} does not exist.");
        }

        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            throw new CliException(ExitCodes.OutputNotWritable, $"The output directory {directory} does not exist.");
        }

        return full;
    }

    /// <summary>Standard output as a text writer only (in-process runs): the UTF-8 bytes are decoded onto it.</summary>
    private sealed class TextWriterStream(TextWriter writer) : WriteOnlyStream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var chars = new char[_decoder.GetCharCount(buffer, flush: false)];
            var count = _decoder.GetChars(buffer, chars, flush: false);
            writer.Write(chars, 0, count);
        }

        public override void Flush() => writer.Flush();
    }

    /// <summary>
    /// Tells output failures apart from every other error: whatever the destination throws on a write,
    /// flush or close (ENOSPC is an IOException, EFBIG an ArgumentOutOfRangeException) comes out as
    /// an <see cref="OutputWriteException"/>.
    /// </summary>
    private sealed class GuardedStream(Stream inner) : WriteOnlyStream
    {
        public bool HasWritten { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            HasWritten |= buffer.Length > 0;
            try
            {
                inner.Write(buffer);
            }
            catch (Exception e) when (IsOutputFailure(e))
            {
                throw new OutputWriteException(e);
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            HasWritten |= buffer.Length > 0;
            try
            {
                await inner.WriteAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (IsOutputFailure(e))
            {
                throw new OutputWriteException(e);
            }
        }

        public override void Flush() => Guard(inner.Flush);

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            try
            {
                await inner.FlushAsync(cancellationToken);
            }
            catch (Exception e) when (IsOutputFailure(e))
            {
                throw new OutputWriteException(e);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            catch (Exception e) when (IsOutputFailure(e))
            {
                throw new OutputWriteException(e);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Guard(inner.Dispose);
            }
        }

        private static void Guard(Action action)
        {
            try
            {
                action();
            }
            catch (Exception e) when (IsOutputFailure(e))
            {
                throw new OutputWriteException(e);
            }
        }

        private static bool IsOutputFailure(Exception e) => e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException;
    }
}

/// <summary>Writing the export's output failed (disk full, file too large, pipe closed, permission).</summary>
internal sealed class OutputWriteException(Exception inner) : ExportOutputException(inner);

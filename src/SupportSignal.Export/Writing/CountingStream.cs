namespace SupportSignal.Export.Writing;

/// <summary>A write-only pass-through that counts the bytes written to the stream beneath.</summary>
/// <param name="ownsInner">True when disposing this stream closes the one beneath (a file of a folder export).</param>
internal sealed class CountingStream(Stream inner, bool ownsInner = false) : Stream
{
    public long BytesWritten { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesWritten;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        BytesWritten += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        BytesWritten += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (ownsInner)
        {
            ownsInner = false;
            await inner.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsInner)
        {
            ownsInner = false;
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A folder whose files count the bytes written to them, all together.</summary>
internal sealed class CountingFolder(IExportFolder inner) : IExportFolder
{
    private readonly List<CountingStream> _files = [];

    public long BytesWritten => _files.Sum(f => f.BytesWritten);

    public async Task<Stream> CreateFileAsync(string path, CancellationToken cancellationToken)
    {
        var file = new CountingStream(await inner.CreateFileAsync(path, cancellationToken), ownsInner: true);
        _files.Add(file);
        return file;
    }
}

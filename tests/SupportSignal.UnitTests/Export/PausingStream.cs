using System.Text;

namespace SupportSignal.UnitTests.Export;

/// <summary>A stream that blocks its first flushed write until released, so a test can act mid-export.</summary>
internal sealed class PausingStream : Stream
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writes;
    private int _writesAfterRelease;

    public SemaphoreSlim Paused { get; } = new(0);

    public MemoryStream Written { get; } = new();

    /// <summary>Writes that began after <see cref="Release"/> (the held first write not included).</summary>
    public int WritesAfterRelease => Volatile.Read(ref _writesAfterRelease);

    public void Release() => _release.TrySetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_release.Task.IsCompleted)
        {
            Interlocked.Increment(ref _writesAfterRelease);
        }

        Written.Write(buffer.Span);
        if (Interlocked.Increment(ref _writes) == 1)
        {
            Paused.Release();
            await _release.Task;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Written.Length;

    public override long Position { get => Written.Length; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override string ToString() => Encoding.UTF8.GetString(Written.ToArray());
}

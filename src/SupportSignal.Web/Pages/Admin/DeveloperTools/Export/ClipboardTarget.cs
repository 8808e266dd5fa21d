using System.Globalization;

using SupportSignal.Export;

namespace SupportSignal.Web.Pages.Admin.DeveloperTools.Export;

/// <summary>
/// "Copy JSON" as an export target: the document is built in memory (at most the clipboard limit),
/// then sent whole as the answer to the page's script, which puts it on the clipboard. Nothing
/// reaches the browser before the last byte is written, so any failure is reported in place of it.
/// </summary>
public sealed class ClipboardTarget(HttpContext context, long maxBytes) : IExportTarget
{
    /// <summary>The size copied, as the page writes sizes, for the toast of the page's script.</summary>
    public const string SizeHeader = "X-Export-Size";

    private readonly CappedBuffer _buffer = new(maxBytes);

    public Stream Stream => _buffer;

    public bool HasStarted => context.Response.HasStarted;

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = _buffer.Length;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers[SizeHeader] = SizeText.Of(_buffer.Length);
        _buffer.Position = 0;
        await _buffer.CopyToAsync(response.Body, cancellationToken);
    }

    public void Discard() => context.Response.Clear();

    public void Abandon() => context.Abort();

    /// <summary>A memory stream that refuses to grow past the limit, should the estimate have been low.</summary>
    private sealed class CappedBuffer(long maxBytes) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            Check(count);
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Check(buffer.Length);
            base.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Check(count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Check(buffer.Length);
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override void WriteByte(byte value)
        {
            Check(1);
            base.WriteByte(value);
        }

        private void Check(int count)
        {
            if (Length + count > maxBytes)
            {
                throw new ClipboardLimitException(maxBytes);
            }
        }
    }
}

/// <summary>The document outgrew the clipboard limit while it was written (its estimate was under it).</summary>
public sealed class ClipboardLimitException(long maxBytes) : ExportOutputException(
    new IOException(string.Create(CultureInfo.InvariantCulture, $"The document is larger than the clipboard limit ({SizeText.Of(maxBytes)}).")))
{
    /// <summary>True when the limit is behind <paramref name="error"/>, however a writer wrapped it.</summary>
    public static bool Caused(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is ClipboardLimitException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>How much "Copy JSON" may put on the clipboard.</summary>
public static class ClipboardLimit
{
    public const string MaxBytesKey = "Export:ClipboardMaxBytes";

    /// <summary>2 MB: what a clipboard, a chat box or an AI tool's input comfortably holds.</summary>
    public const long DefaultMaxBytes = 2 * 1024 * 1024;

    public static long MaxBytes(IConfiguration configuration) => Math.Max(1, configuration.GetValue(MaxBytesKey, DefaultMaxBytes));
}

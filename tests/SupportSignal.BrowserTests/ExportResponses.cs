using System.Collections.Concurrent;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

using SupportSignal.TestSupport;

namespace SupportSignal.BrowserTests;

/// <summary>
/// What the app sent for each export POST (status, file name, body), seen from inside the app, and a
/// switch that holds the next export POST before the app handles it. An engine that cannot report a
/// download (WebKitGTK's driver) is checked against the response its click produced; every engine's
/// "working on it" state is observed while a POST is held.
/// </summary>
public sealed class ExportResponses : IStartupFilter
{
    private readonly ConcurrentQueue<ExportResponse> _responses = new();

    /// <summary>One-shot: the next export POST waits for this before the app sees it.</summary>
    public TaskCompletionSource? HoldNext;

    public IReadOnlyCollection<ExportResponse> All => _responses;

    public int Count => _responses.Count;

    /// <summary>One-shot: the next segment refresh (a GET of the page with filters in its query) waits for this.</summary>
    public TaskCompletionSource? HoldNextRefresh;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) && context.Request.QueryString.HasValue
                && context.Request.Path.Equals(ExportForm.Path, StringComparison.OrdinalIgnoreCase))
            {
                if (Interlocked.Exchange(ref HoldNextRefresh, null) is { } held)
                {
                    await held.Task.WaitAsync(context.RequestAborted);
                }

                await nextMiddleware(context);
                return;
            }

            if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Path.StartsWithSegments(ExportForm.Path, StringComparison.OrdinalIgnoreCase))
            {
                await nextMiddleware(context);
                return;
            }

            if (Interlocked.Exchange(ref HoldNext, null) is { } hold)
            {
                await hold.Task.WaitAsync(context.RequestAborted);
            }

            var original = context.Response.Body;
            var copy = new TeeStream(original);
            context.Response.Body = copy;
            var completed = false;
            try
            {
                await nextMiddleware(context);
                completed = !context.RequestAborted.IsCancellationRequested;
            }
            finally
            {
                context.Response.Body = original;
                var disposition = context.Response.Headers.ContentDisposition.ToString();
                var fileName = ContentDispositionHeaderValue.TryParse(disposition, out var parsed) ? parsed.FileName.Value?.Trim('"') : null;
                _responses.Enqueue(new ExportResponse(context.Response.StatusCode, fileName, copy.ToArray(), completed));
            }
        });
        next(app);
    };

    /// <summary>Waits for the response to export POST number <paramref name="index"/> (zero-based) to end.</summary>
    public async Task<ExportResponse> WaitForAsync(int index)
    {
        await Poll.UntilAsync(() => _responses.Count > index, $"export response {index + 1}");
        return _responses.ElementAt(index);
    }

    /// <summary>The response body, with a copy of every byte kept in memory (the tests' exports are small).</summary>
    private sealed class TeeStream(Stream inner) : MemoryStream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            Write(buffer.Span);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    }
}

/// <summary>One export POST's response: status, the attachment's file name (null if none), the body sent, whether it ran to the end.</summary>
public sealed record ExportResponse(int Status, string? FileName, byte[] Body, bool Completed);

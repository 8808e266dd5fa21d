using System.Data.Common;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

using SupportSignal.Data;

namespace SupportSignal.TestSupport;

/// <summary>
/// Switchable faults for the export request: the database refusing to open (before any byte)
/// and the response stream breaking after the first bytes are out. Off until a test arms them.
/// </summary>
public sealed class ExportFaults
{
    public const string InternalDetail = "disk I/O error at /var/lib/secret-path/supportsignal.db";

    public volatile bool FailDatabaseOpen;
    public volatile bool FailAfterFirstWrite;

    public static SupportSignalAppFactory Install(SupportSignalAppFactory app, ExportFaults faults) =>
        app.ConfigureServices(services =>
        {
            services.ConfigureDbContext<SqliteSupportSignalDbContext>(o => o.AddInterceptors(new OpenFault(faults)));
            services.AddSingleton<IStartupFilter>(new BrokenBodyFilter(faults));
        });

    private sealed class OpenFault(ExportFaults faults) : DbConnectionInterceptor
    {
        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(
            DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            faults.FailDatabaseOpen ? throw new InvalidOperationException(InternalDetail) : ValueTask.FromResult(result);
    }

    private sealed class BrokenBodyFilter(ExportFaults faults) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (faults.FailAfterFirstWrite && HttpMethods.IsPost(context.Request.Method))
                {
                    context.Response.Body = new BreaksAfterFirstWrite(context.Response.Body);
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>Lets the first write through (so the response has started), then fails like a broken disk or network would.</summary>
    private sealed class BreaksAfterFirstWrite(Stream inner) : Stream
    {
        private int _writes;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _writes) > 1)
            {
                throw new IOException(InternalDetail);
            }

            await inner.WriteAsync(buffer, cancellationToken);
            await inner.FlushAsync(cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>The app under test with <see cref="ExportFaults"/> installed.</summary>
public sealed class FaultyAppFactory : SupportSignalAppFactory
{
    public FaultyAppFactory() => ExportFaults.Install(this, Faults);

    public ExportFaults Faults { get; } = new();
}

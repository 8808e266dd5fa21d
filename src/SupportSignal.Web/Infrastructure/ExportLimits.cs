using System.Diagnostics;
using System.Security.Claims;
using System.Threading.RateLimiting;

using Microsoft.AspNetCore.RateLimiting;

using SupportSignal.Data.Entities;
using SupportSignal.Export;

namespace SupportSignal.Web.Infrastructure;

/// <summary>Marks a page whose POST streams an export, so the export limits apply to it and to nothing else.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ExportEndpointAttribute : Attribute;

/// <summary>
/// How many exports stream at once, with ASP.NET Core's rate limiting: at most
/// <c>Export:MaxConcurrent</c> (default 2) across this instance and one per user. Each export holds
/// a database connection and a read snapshot for as long as the download runs, so one more is
/// refused (429, <c>Retry-After</c>, an audit row "rejected") instead of slowing everyone down.
/// A lease is held until the response has been written to the end.
/// </summary>
public static class ExportLimits
{
    public const string MaxConcurrentKey = "Export:MaxConcurrent";
    public const int DefaultMaxConcurrent = 2;
    public const string RetryAfterSeconds = "30";

    public static IServiceCollection AddExportLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            var maxConcurrent = Math.Max(1, configuration.GetValue(MaxConcurrentKey, DefaultMaxConcurrent));
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Partitioned(_ => "server", maxConcurrent),
                Partitioned(UserKey, 1));
            options.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    private static PartitionedRateLimiter<HttpContext> Partitioned(Func<HttpContext, string> key, int permits) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context => IsExport(context)
            ? RateLimitPartition.GetConcurrencyLimiter(key(context), _ => new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter(""));

    private static bool IsExport(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) && context.GetEndpoint()?.Metadata.GetMetadata<ExportEndpointAttribute>() is not null;

    private static string UserKey(HttpContext context) => "user:" + UserId(context.User);

    public static string UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";

    public static Guid? UserGuid(ClaimsPrincipal user) => Guid.TryParse(UserId(user), out var id) ? id : null;

    public static string CorrelationId(HttpContext context) => Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;

    /// <summary>
    /// The refusal is audited with the filters that were asked for (when they parse). The body is
    /// left to the status-code pages: /status/429 says another export is running, which the page's
    /// script shows as a toast.
    /// </summary>
    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        var exportedBy = UserId(context.User);
        var request = new ExportRequest { ExportedBy = exportedBy };
        try
        {
            request = ExportFields.FromForm(await context.Request.ReadFormAsync(cancellationToken), exportedBy);
        }
        catch (Exception e) when (e is ExportRequestException or InvalidDataException or BadHttpRequestException or InvalidOperationException)
        {
            // The filters are unreadable: the row still records who was refused, and when.
        }

        var audit = context.RequestServices.GetRequiredService<ExportAuditTrail>();
        // The page's "Copy JSON" posts to the same page with ?handler=copy.
        var source = string.Equals(context.Request.Query["handler"], "copy", StringComparison.OrdinalIgnoreCase) ? ExportSource.Clipboard : ExportSource.Web;
        await audit.RejectAsync(new ExportAttempt(UserGuid(context.User), source, request, CorrelationId(context)), ExportErrorCodes.Busy);
    }
}

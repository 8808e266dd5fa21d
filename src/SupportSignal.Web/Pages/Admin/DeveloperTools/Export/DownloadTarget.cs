using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Http.Features;

using SupportSignal.Export;

namespace SupportSignal.Web.Pages.Admin.DeveloperTools.Export;

/// <summary>
/// The export page's response as an export target: the download's headers go out just before the
/// export runs, the body streams straight to the client, a failure before the first byte clears
/// the headers (so an error page can answer instead) and one after it aborts the connection, so
/// the browser reports a failed download rather than keeping a truncated file that looks whole.
/// </summary>
public sealed partial class DownloadTarget(HttpContext context, ExportRequest request, DateTime exportedAtUtc, string? downloadToken) : IExportTarget
{
    /// <summary>Set, readable by the page's script, once the download's headers are on their way.</summary>
    public const string Cookie = "supportsignal-export-download";

    public Stream Stream => context.Response.Body;

    public bool HasStarted => context.Response.HasStarted;

    public void Begin()
    {
        var response = context.Response;
        // Straight through to the client as the engine flushes: nothing holds the whole file.
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = request.Format.ContentType();
        response.Headers.ContentDisposition = $"attachment; filename=\"{request.FileName(exportedAtUtc)}\"";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        if (downloadToken is { } token && DownloadTokenFormat().IsMatch(token))
        {
            response.Cookies.Append(Cookie, token, new CookieOptions
            {
                HttpOnly = false,
                IsEssential = true,
                Path = context.Request.PathBase + context.Request.Path,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                MaxAge = TimeSpan.FromMinutes(1),
            });
        }
    }

    public Task CommitAsync(CancellationToken cancellationToken) => context.Response.Body.FlushAsync(cancellationToken);

    public void Discard() => context.Response.Clear();

    public void Abandon() => context.Abort();

    [GeneratedRegex("^[a-f0-9]{16,64}$")]
    private static partial Regex DownloadTokenFormat();
}

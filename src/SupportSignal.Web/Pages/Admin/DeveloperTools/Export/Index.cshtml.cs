using System.Diagnostics;
using System.Security.Claims;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

using SupportSignal.Export;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.Web.Pages.Admin.DeveloperTools.Export;

/// <summary>
/// Shows what a full export holds and streams it. Access is the folder convention's business
/// (SystemAdmin); antiforgery is validated for every POST by Razor Pages itself.
/// </summary>
public sealed partial class IndexModel(ExportService exports, ExportGate gate, TimeProvider time, ILogger<IndexModel> logger) : PageModel
{
    /// <summary>Set, readable by the page's script, once the download's headers are on their way.</summary>
    public const string DownloadCookie = "supportsignal-export-download";

    public ExportPreview? Preview { get; private set; }

    /// <summary>Estimated file size per format, from the same kind of snapshot the export reads.</summary>
    public IReadOnlyDictionary<ExportFormat, long> EstimatedBytes { get; private set; } = new Dictionary<ExportFormat, long>();

    /// <summary>Set when a POST could not be carried out; the page then shows only this.</summary>
    public ExportProblem? Problem { get; private set; }

    public DateTime NowUtc => time.GetUtcNow().UtcDateTime;

    [BindProperty]
    public string? Format { get; set; }

    /// <summary>Optional: only these tables (repeated or comma-separated). The page's button exports them all.</summary>
    [BindProperty]
    public List<string>? Tables { get; set; }

    /// <summary>A random token from the page's script, echoed in <see cref="DownloadCookie"/> when the download starts.</summary>
    [BindProperty]
    public string? DownloadToken { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var estimates = new Dictionary<ExportFormat, long>();
        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            var preview = await exports.PreviewAsync(new ExportRequest { Format = format, ExportedBy = UserId }, cancellationToken);
            estimates[format] = preview.EstimatedBytes;
            Preview ??= preview;
        }

        EstimatedBytes = estimates;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        ExportRequest request;
        try
        {
            request = new ExportRequest
            {
                Format = ExportFormats.Parse(Format),
                Tables = Tables is null or { Count: 0 } ? null : [.. Tables.SelectMany(t => (t ?? "").Split(','))],
                ExportedBy = UserId,
            };
            exports.Select(request);
        }
        catch (ExportRequestException e)
        {
            logger.LogInformation("Export request rejected: bad {Field}", e.Field);
            return Show(new ExportProblem(StatusCodes.Status400BadRequest, "The export request is not valid", e.Message, null));
        }

        using var slot = gate.TryEnter();
        if (slot is null)
        {
            logger.LogInformation("Export refused: the maximum number of concurrent exports is running");
            Response.Headers.RetryAfter = "30";
            return Show(new ExportProblem(StatusCodes.Status503ServiceUnavailable, "Other exports are running",
                "This server is already streaming as many exports as it allows at once. Try again in a minute.", null));
        }

        // A closed tab or a dropped connection cancels the database work at once.
        var aborted = HttpContext.RequestAborted;
        var fileName = request.Format.FileName(NowUtc);
        StartDownload(request.Format, fileName);
        logger.LogInformation("Export started: {Format} for user {UserId}", request.Format, UserId);
        try
        {
            var body = new AsyncOnlyWriteStream(Response.Body);
            var summary = await exports.ExportAsync(request, body, aborted);
            await body.FlushAsync(aborted);
            logger.LogInformation("Export finished: {Records} records, {Bytes} bytes in {ElapsedMs} ms",
                summary.TotalRecords, summary.Bytes, (long)summary.Duration.TotalMilliseconds);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // Whatever the engine was doing when the client left (a query or a write), it stopped.
            logger.LogInformation("Export cancelled: the client went away");
        }
        catch (Exception e) when (!Response.HasStarted)
        {
            // Nothing has reached the client: a normal page can still say what happened.
            logger.LogError(e, "Export failed before the first byte ({CorrelationId})", CorrelationId);
            Response.Clear();
            if (DatabaseErrors.IsUnavailable(e))
            {
                Response.Headers.RetryAfter = "60";
                return Show(new ExportProblem(StatusCodes.Status503ServiceUnavailable, "The database is not available",
                    "The export could not be started because the database cannot be reached right now. Nothing was downloaded. Try again in a few minutes, and if it keeps happening give support this reference.",
                    CorrelationId));
            }

            return Show(new ExportProblem(StatusCodes.Status500InternalServerError, "The export could not be started",
                "Something went wrong while preparing the export. Nothing was downloaded. Try again, and if it keeps happening give support this reference.",
                CorrelationId));
        }
        catch (Exception e)
        {
            // Headers and part of the file are out. Ending the response normally would leave a
            // truncated file that looks whole; aborting makes the browser report a failed download.
            logger.LogError(e, "Export failed after streaming began; aborting the connection ({CorrelationId})", CorrelationId);
            HttpContext.Abort();
        }

        return new EmptyResult();
    }

    private void StartDownload(ExportFormat format, string fileName)
    {
        // Straight through to the client as the engine flushes: nothing holds the whole file.
        HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        Response.StatusCode = StatusCodes.Status200OK;
        Response.ContentType = format.ContentType();
        Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        Response.Headers.CacheControl = "no-store";
        Response.Headers.XContentTypeOptions = "nosniff";
        if (DownloadToken is { } token && DownloadTokenFormat().IsMatch(token))
        {
            Response.Cookies.Append(DownloadCookie, token, new CookieOptions
            {
                HttpOnly = false,
                IsEssential = true,
                Path = Request.PathBase + Request.Path,
                SameSite = SameSiteMode.Strict,
                Secure = Request.IsHttps,
                MaxAge = TimeSpan.FromMinutes(1),
            });
        }
    }

    private PageResult Show(ExportProblem problem)
    {
        Problem = problem;
        Response.StatusCode = problem.StatusCode;
        return Page();
    }

    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";

    private string CorrelationId => Activity.Current?.TraceId.ToString() ?? HttpContext.TraceIdentifier;

    [GeneratedRegex("^[a-f0-9]{16,64}$")]
    private static partial Regex DownloadTokenFormat();
}

/// <summary>Why an export did not happen, in words fit for the admin; never internal detail.</summary>
public sealed record ExportProblem(int StatusCode, string Title, string Message, string? CorrelationId);

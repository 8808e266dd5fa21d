using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Export;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.Web.Pages.Admin.DeveloperTools.Export;

/// <summary>
/// Shows what a full export, or a filtered segment, holds and streams it. Access is the folder
/// convention's business (SystemAdmin); antiforgery is validated for every POST by Razor Pages
/// itself; how many exports run at once is the rate limiter's (<see cref="ExportLimits"/>).
/// </summary>
[ExportEndpoint]
public sealed partial class IndexModel(
    ExportService exports, ExportAuditTrail audit, SupportSignalDbContext db, TimeProvider time, ILogger<IndexModel> logger) : PageModel
{
    /// <summary>Set, readable by the page's script, once the download's headers are on their way.</summary>
    public const string DownloadCookie = "supportsignal-export-download";

    public ExportPreview? Preview { get; private set; }

    /// <summary>Estimated file size per format, from the same kind of snapshot the export reads.</summary>
    public IReadOnlyDictionary<ExportFormat, long> EstimatedBytes { get; private set; } = new Dictionary<ExportFormat, long>();

    /// <summary>What the chosen filters hold; null until a filter is chosen.</summary>
    public ExportPreview? SegmentPreview { get; private set; }

    /// <summary>The segment's normalized filters, as its metadata and the audit trail record them.</summary>
    public string? SegmentFilters { get; private set; }

    public IReadOnlyList<Company> CompanyOptions { get; private set; } = [];

    public ILookup<Guid, Site> SiteOptions { get; private set; } = Array.Empty<Site>().ToLookup(s => s.CompanyId);

    public ExportAudit? LastExport { get; private set; }

    /// <summary>Set when the request could not be carried out; the page then shows only this.</summary>
    public ExportProblem? Problem { get; private set; }

    public DateTime NowUtc => time.GetUtcNow().UtcDateTime;

    [BindProperty(SupportsGet = true)]
    public string? Format { get; set; }

    /// <summary>Only these tables (repeated or comma-separated).</summary>
    [BindProperty(SupportsGet = true)]
    public List<string>? Tables { get; set; }

    [BindProperty(SupportsGet = true)]
    public List<string>? Companies { get; set; }

    [BindProperty(SupportsGet = true)]
    public List<string>? Sites { get; set; }

    /// <summary>First event date (UTC, YYYY-MM-DD), inclusive.</summary>
    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    /// <summary>Last event date (UTC, YYYY-MM-DD), inclusive.</summary>
    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    /// <summary>Include the rows that exported rows reference. On unless the form says otherwise.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Closure { get; set; } = true;

    [BindProperty(SupportsGet = true)]
    public bool Deidentify { get; set; }

    /// <summary>A random token from the page's script, echoed in <see cref="DownloadCookie"/> when the download starts.</summary>
    [BindProperty]
    public string? DownloadToken { get; set; }

    public bool HasFilters =>
        new[] { Tables, Companies, Sites }.Any(v => v is { Count: > 0 } && v.Any(s => !string.IsNullOrWhiteSpace(s)))
        || !string.IsNullOrWhiteSpace(From) || !string.IsNullOrWhiteSpace(To);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var estimates = new Dictionary<ExportFormat, long>();
        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            var preview = await exports.PreviewAsync(new ExportRequest { Format = format, ExportedBy = UserId }, cancellationToken);
            estimates[format] = preview.EstimatedBytes;
            Preview ??= preview;
        }

        EstimatedBytes = estimates;
        CompanyOptions = await db.Companies.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
        SiteOptions = (await db.Sites.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken)).ToLookup(s => s.CompanyId);
        LastExport = (await audit.PageAsync(1, 1, cancellationToken)).Rows.FirstOrDefault();

        if (HasFilters)
        {
            try
            {
                var request = ReadRequest() with { Format = ExportFormat.Json };
                SegmentPreview = await exports.PreviewAsync(request, cancellationToken);
                SegmentFilters = ExportAuditTrail.FiltersJson(request);
            }
            catch (ExportRequestException e)
            {
                return Show(BadInput(e));
            }
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var correlationId = ExportLimits.CorrelationId(HttpContext);
        ExportRequest request;
        try
        {
            request = ReadRequest();
            exports.Select(request);
        }
        catch (ExportRequestException e)
        {
            await audit.RejectAsync(Attempt(BestEffortRequest(), correlationId), BadInputCode(e));
            return Show(BadInput(e));
        }

        // A closed tab or a dropped connection cancels the database work at once.
        var aborted = HttpContext.RequestAborted;
        var auditId = await audit.StartAsync(Attempt(request, correlationId), CancellationToken.None);
        StartDownload(request.Format, request.FileName(NowUtc));
        try
        {
            var summary = await exports.ExportAsync(request, Response.Body, aborted);
            await Response.Body.FlushAsync(aborted);
            await audit.FinishAsync(auditId, ExportOutcome.Succeeded, summary);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // Whatever the engine was doing when the client left (a query or a write), it stopped.
            logger.LogInformation("Export cancelled: the client went away");
            await audit.FinishAsync(auditId, ExportOutcome.Cancelled, errorCode: "client_gone");
        }
        catch (ExportRequestException e) when (!Response.HasStarted)
        {
            // Checked against the database (an unknown id, an empty selection): still before any byte.
            Response.Clear();
            await audit.FinishAsync(auditId, ExportOutcome.Rejected, errorCode: BadInputCode(e));
            return Show(BadInput(e));
        }
        catch (Exception e) when (!Response.HasStarted)
        {
            // Nothing has reached the client: a normal page can still say what happened.
            logger.LogError(e, "Export failed before the first byte ({CorrelationId})", correlationId);
            Response.Clear();
            var unavailable = DatabaseErrors.IsUnavailable(e) || e is ExportSchemaException;
            await audit.FinishAsync(auditId, ExportOutcome.Failed, errorCode: unavailable ? "database_unavailable" : "failed_before_first_byte");
            if (unavailable)
            {
                Response.Headers.RetryAfter = "60";
                return Show(new ExportProblem(StatusCodes.Status503ServiceUnavailable, "The database is not available",
                    "The export could not be started because the database cannot be reached right now (or is not at this version's schema). Nothing was downloaded. Try again in a few minutes, and if it keeps happening give support this reference.",
                    correlationId));
            }

            return Show(new ExportProblem(StatusCodes.Status500InternalServerError, "The export could not be started",
                "Something went wrong while preparing the export. Nothing was downloaded. Try again, and if it keeps happening give support this reference.",
                correlationId));
        }
        catch (Exception e)
        {
            // Headers and part of the file are out. Ending the response normally would leave a
            // truncated file that looks whole; aborting makes the browser report a failed download.
            logger.LogError(e, "Export failed after streaming began; aborting the connection ({CorrelationId})", correlationId);
            await audit.FinishAsync(auditId, ExportOutcome.Failed, errorCode: "failed_mid_stream");
            HttpContext.Abort();
        }

        return new EmptyResult();
    }

    private ExportRequest ReadRequest() =>
        ExportFields.ToRequest(Tables, Companies, Sites, From, To, Closure, Deidentify, Format, UserId);

    // A refused request is audited with whatever of it parses; the row says why it was refused.
    private ExportRequest BestEffortRequest()
    {
        try
        {
            return ReadRequest();
        }
        catch (ExportRequestException)
        {
            return new ExportRequest { Deidentify = Deidentify, ExportedBy = UserId };
        }
    }

    private ExportAttempt Attempt(ExportRequest request, string correlationId) =>
        new(ExportLimits.UserGuid(User), ExportSource.Web, request, correlationId);

    private static string BadInputCode(ExportRequestException e) => "bad_input:" + e.Field;

    private ExportProblem BadInput(ExportRequestException e)
    {
        logger.LogInformation("Export request rejected: bad {Field}", e.Field);
        return new ExportProblem(StatusCodes.Status400BadRequest, "The export request is not valid", e.Message, null, e.Field);
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

    private string UserId => ExportLimits.UserId(User);

    [GeneratedRegex("^[a-f0-9]{16,64}$")]
    private static partial Regex DownloadTokenFormat();
}

/// <summary>Why an export did not happen, in words fit for the admin; never internal detail.</summary>
public sealed record ExportProblem(int StatusCode, string Title, string Message, string? CorrelationId, string? Field = null);

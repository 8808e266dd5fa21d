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
public sealed class IndexModel(
    ExportService exports, AuditedExport audited, ExportAuditTrail audit, SupportSignalDbContext db, TimeProvider time, IConfiguration configuration) : PageModel
{
    public ExportPreview? Preview { get; private set; }

    /// <summary>Estimated file size per format, from the same kind of snapshot the export reads.</summary>
    public IReadOnlyDictionary<ExportFormat, long> EstimatedBytes => Preview?.EstimatedBytesByFormat ?? new Dictionary<ExportFormat, long>();

    /// <summary>What the chosen filters hold; null until a filter is chosen.</summary>
    public ExportPreview? SegmentPreview { get; private set; }

    /// <summary>The segment's normalized filters, as its metadata and the audit trail record them.</summary>
    public string? SegmentFilters { get; private set; }

    /// <summary>The segment's request, as its form posts it; null until a filter is chosen.</summary>
    public ExportRequest? SegmentRequest { get; private set; }

    public IReadOnlyList<Company> CompanyOptions { get; private set; } = [];

    public ILookup<Guid, Site> SiteOptions { get; private set; } = Array.Empty<Site>().ToLookup(s => s.CompanyId);

    public ExportAudit? LastExport { get; private set; }

    /// <summary>Set when the request could not be carried out; the page then shows only this.</summary>
    public ExportProblem? Problem { get; private set; }

    public DateTime NowUtc => time.GetUtcNow().UtcDateTime;

    /// <summary>The most "Copy JSON" puts on the clipboard (<see cref="ClipboardLimit"/>).</summary>
    public long ClipboardMaxBytes => ClipboardLimit.MaxBytes(configuration);

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

    /// <summary>A random token from the page's script, echoed in <see cref="DownloadTarget.Cookie"/> when the download starts.</summary>
    [BindProperty]
    public string? DownloadToken { get; set; }

    /// <summary>The format the forms start with: the one asked for in the address ("Run again"), else JSON.</summary>
    public ExportFormat ChosenFormat
    {
        get
        {
            try
            {
                return ExportFormats.Parse(Format);
            }
            catch (ExportRequestException)
            {
                return ExportFormat.Json;
            }
        }
    }

    public bool HasFilters =>
        new[] { Tables, Companies, Sites }.Any(v => v is { Count: > 0 } && v.Any(s => !string.IsNullOrWhiteSpace(s)))
        || !string.IsNullOrWhiteSpace(From) || !string.IsNullOrWhiteSpace(To);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var full = new ExportRequest { ExportedBy = UserId };
        try
        {
            // One snapshot answers for the full export (every format) and the chosen segment.
            var segment = HasFilters ? ReadRequest() with { Format = ExportFormat.Json } : null;
            var previews = await exports.PreviewAsync(segment is null ? [full] : [full, segment], cancellationToken);
            (Preview, SegmentPreview) = (previews[0], previews.ElementAtOrDefault(1));
            SegmentFilters = segment is null ? null : ExportAuditTrail.FiltersJson(segment);
            SegmentRequest = segment;
        }
        catch (ExportRequestException e)
        {
            return Show(ExportProblem.BadInput(e));
        }

        CompanyOptions = await db.Companies.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
        SiteOptions = (await db.Sites.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken)).ToLookup(s => s.CompanyId);
        LastExport = (await audit.PageAsync(1, 1, cancellationToken)).Rows.FirstOrDefault();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var request = ReadRequest(out var badInput);
        var attempt = new ExportAttempt(ExportLimits.UserGuid(User), ExportSource.Web, request, ExportLimits.CorrelationId(HttpContext));
        var result = badInput is not null
            ? await audited.RejectAsync(attempt, badInput)
            : await audited.RunAsync(attempt, new DownloadTarget(HttpContext, request, NowUtc, DownloadToken), cancellationToken: HttpContext.RequestAborted);
        return ExportProblem.For(result, attempt.CorrelationId) is { } problem ? Show(problem) : new EmptyResult();
    }

    /// <summary>
    /// "Copy JSON": the segment as a JSON document for the page's script to put on the clipboard. Audited
    /// like a download (source clipboard) and limited like one (this page's POSTs share the export limits);
    /// refused with 413 when its estimate is above the clipboard limit.
    /// </summary>
    public async Task<IActionResult> OnPostCopyAsync()
    {
        Format = ExportFormat.Json.Extension();
        var request = ReadRequest(out var badInput);
        var attempt = new ExportAttempt(ExportLimits.UserGuid(User), ExportSource.Clipboard, request, ExportLimits.CorrelationId(HttpContext));
        if (badInput is not null)
        {
            return Show(ExportProblem.For(await audited.RejectAsync(attempt, badInput), attempt.CorrelationId)!);
        }

        if (await audited.RejectIfInvalidAsync(attempt) is { } rejected)
        {
            return Show(ExportProblem.For(rejected, attempt.CorrelationId)!);
        }

        var limit = ClipboardMaxBytes;
        long? estimate = null;
        try
        {
            estimate = (await exports.PreviewAsync([request], HttpContext.RequestAborted))[0].EstimatedBytes;
        }
        catch (ExportRequestException e)
        {
            return Show(ExportProblem.For(await audited.RejectAsync(attempt, e), attempt.CorrelationId)!);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database failed the estimate: the audited run below meets the same failure, records
            // it and turns it into the page an export failure gets (503 or 500 with a reference).
        }

        if (estimate > limit)
        {
            await audit.RejectAsync(attempt, ExportErrorCodes.TooLargeForClipboard);
            return Show(ExportProblem.TooLargeForClipboard(estimate.Value, limit));
        }

        var result = await audited.RunAsync(attempt, new ClipboardTarget(HttpContext, limit), cancellationToken: HttpContext.RequestAborted);
        return ClipboardLimitException.Caused(result.Error) && !result.Started
            ? Show(ExportProblem.TooLargeForClipboard(null, limit))
            : ExportProblem.For(result, attempt.CorrelationId) is { } problem ? Show(problem) : new EmptyResult();
    }

    private ExportRequest ReadRequest() =>
        ExportFields.ToRequest(Tables, Companies, Sites, From, To, Closure, Deidentify, Format, UserId);

    // A refused request is audited with whatever of it parses; the row says why it was refused.
    private ExportRequest ReadRequest(out ExportRequestException? badInput)
    {
        badInput = null;
        try
        {
            return ReadRequest();
        }
        catch (ExportRequestException e)
        {
            badInput = e;
            return new ExportRequest { Deidentify = Deidentify, ExportedBy = UserId };
        }
    }

    private PageResult Show(ExportProblem problem)
    {
        Problem = problem;
        Response.StatusCode = problem.StatusCode;
        if (problem.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            Response.Headers.RetryAfter = "60";
        }

        return Page();
    }

    private string UserId => ExportLimits.UserId(User);

}

/// <summary>Why an export did not happen, in words fit for the admin; never internal detail.</summary>
public sealed record ExportProblem(int StatusCode, string Title, string Message, string? CorrelationId, string? Field = null)
{
    public static ExportProblem TooLargeForClipboard(long? estimate, long limit) => new(
        StatusCodes.Status413PayloadTooLarge, "Too large for the clipboard",
        (estimate is { } bytes ? $"This segment comes to about {SizeText.Of(bytes)}" : "This segment came out larger than its estimate")
        + $"; the clipboard takes at most {SizeText.Of(limit)}. Download it instead, or narrow the filters. Nothing was copied.",
        null);

    public static ExportProblem BadInput(ExportRequestException e) =>
        new(StatusCodes.Status400BadRequest, "The export request is not valid", e.Message, null, e.Field);

    /// <summary>
    /// What the page shows in place of the download, or null when there is nothing to show: the
    /// file was sent, the client left, or the connection was aborted mid-stream.
    /// </summary>
    public static ExportProblem? For(ExportResult result, string correlationId) => result switch
    {
        { BadInput: { } e } => BadInput(e),
        { Outcome: ExportOutcome.Failed, Started: false, ErrorCode: ExportErrorCodes.DatabaseUnavailable } => new(
            StatusCodes.Status503ServiceUnavailable, "The database is not available",
            "The export could not be started because the database cannot be reached right now (or is not at this version's schema). Nothing was downloaded. Try again in a few minutes, and if it keeps happening give support this reference.",
            correlationId),
        { Outcome: ExportOutcome.Failed, Started: false } => new(
            StatusCodes.Status500InternalServerError, "The export could not be started",
            "Something went wrong while preparing the export. Nothing was downloaded. Try again, and if it keeps happening give support this reference.",
            correlationId),
        _ => null,
    };
}

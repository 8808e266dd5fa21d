using System.Diagnostics;

using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SupportSignal.Web.Pages;

/// <summary>Shows only the trace id, which the request log carries too, so support can find the detail.</summary>
public sealed class ErrorModel : PageModel
{
    public string CorrelationId => Activity.Current?.TraceId.ToString() ?? HttpContext.TraceIdentifier;

    /// <summary>The exception handler chose 503: the database could not be used (see DatabaseErrors).</summary>
    public bool Unavailable => Response.StatusCode == StatusCodes.Status503ServiceUnavailable;
}

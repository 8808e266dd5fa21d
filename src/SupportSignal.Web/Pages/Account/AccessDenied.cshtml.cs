using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SupportSignal.Web.Pages.Account;

/// <summary>
/// Says no and nothing else: not which role or policy was missing. Answers 403 whether it is
/// reached directly or re-executed for a forbidden GET or POST.
/// </summary>
public sealed class AccessDeniedModel : PageModel
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;

    public void OnPost() => OnGet();
}

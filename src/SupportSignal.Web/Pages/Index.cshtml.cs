using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

using SupportSignal.Web.Infrastructure;

namespace SupportSignal.Web.Pages;

public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() =>
        User.IsInRole(Policies.SystemAdminRole) ? RedirectToPage("/Admin/Index") : Page();
}

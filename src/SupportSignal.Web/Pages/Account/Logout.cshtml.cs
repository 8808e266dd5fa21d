using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

using SupportSignal.Data.Entities;

namespace SupportSignal.Web.Pages.Account;

/// <summary>Sign-out is a POST with an antiforgery token, so no link or image can sign a user out.</summary>
public sealed class LogoutModel(SignInManager<User> signInManager) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await signInManager.SignOutAsync();
        return LocalRedirect("/");
    }
}

using System.ComponentModel.DataAnnotations;

using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

using SupportSignal.Data.Entities;

namespace SupportSignal.Web.Pages.Account;

public sealed class LoginModel(SignInManager<User> signInManager, ILogger<LoginModel> logger) : PageModel
{
    // One message for an unknown e-mail, a wrong password and a locked account, so the page
    // never confirms that an account exists.
    public const string FailureMessage =
        "Sign-in failed. Check your e-mail and password. After several failed attempts, sign-in is paused for 15 minutes.";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await signInManager.PasswordSignInAsync(Input.Email, Input.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        // Neither the e-mail nor the password: the reason is enough to spot an attack in the log.
        logger.LogWarning("Sign-in rejected ({Reason})", result.IsLockedOut ? "locked out" : result.IsNotAllowed ? "not allowed" : "invalid credentials");
        ModelState.AddModelError(string.Empty, FailureMessage);
        return Page();
    }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your e-mail address.")]
        [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
        [Display(Name = "E-mail")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";
    }
}

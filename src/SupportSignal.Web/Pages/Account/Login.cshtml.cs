using System.ComponentModel.DataAnnotations;

using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

using SupportSignal.Data.Entities;

namespace SupportSignal.Web.Pages.Account;

public sealed class LoginModel(SignInManager<User> signInManager, IPasswordHasher<User> hasher, ILogger<LoginModel> logger) : PageModel
{
    // Hashed once, with the app's own hasher settings: verifying against it costs what a real check costs.
    private static string? _decoyHash;

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

        if (result == Microsoft.AspNetCore.Identity.SignInResult.Failed && await signInManager.UserManager.FindByNameAsync(Input.Email) is null)
        {
            // An unknown e-mail would otherwise answer faster than a wrong password (no hash is
            // checked), which would tell a prober which addresses have accounts.
            var decoy = new User();
            _decoyHash ??= hasher.HashPassword(decoy, Guid.NewGuid().ToString());
            hasher.VerifyHashedPassword(decoy, _decoyHash, Input.Password);
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

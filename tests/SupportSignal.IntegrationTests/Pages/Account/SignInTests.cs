using System.Net;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;
using SupportSignal.Web.Pages.Account;

namespace SupportSignal.IntegrationTests.Pages.Account;

public sealed class SignInTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_signs_in_through_the_form_and_lands_on_the_admin_page_with_the_export_card()
    {
        var client = app.CreateBrowserlikeClient();

        var login = await client.PostLoginAsync(DevelopmentAccounts.AdminEmail, TestDatabase.Password, returnUrl: "/admin");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/admin", login.Headers.Location?.OriginalString);

        var admin = await client.GetAsync("/admin", Cancel);
        var html = await admin.Content.ReadAsStringAsync(Cancel);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("<h2>Database Export</h2>", html);
        Assert.Contains("href=\"/admin/developer-tools/export\"", html);
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_ignored()
    {
        var client = app.CreateBrowserlikeClient();

        var login = await client.PostLoginAsync(DevelopmentAccounts.AdminEmail, TestDatabase.Password, returnUrl: "https://evil.example/");

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_answer()
    {
        var client = app.CreateBrowserlikeClient();

        var wrongPassword = await client.PostLoginAsync(DevelopmentAccounts.EmailFor(AppRole.DemoAdmin), "not-the-password-1");
        var unknownEmail = await client.PostLoginAsync("nobody-here@supportsignal.local", TestDatabase.Password);

        Assert.Equal(HttpStatusCode.OK, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknownEmail.StatusCode);
        Assert.Equal(ErrorMessages(await wrongPassword.Content.ReadAsStringAsync(Cancel)), ErrorMessages(await unknownEmail.Content.ReadAsStringAsync(Cancel)));
        Assert.Contains(LoginModel.FailureMessage, await unknownEmail.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var client = await app.SignInAsAsync(AppRole.SystemAdmin);
        var token = await client.GetAntiforgeryTokenAsync("/admin");

        var logout = await client.PostAsync("/account/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Cancel);
        var admin = await client.GetAsync("/admin", Cancel);

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.StartsWith("/account/login", admin.Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task Signing_out_needs_a_post_with_an_antiforgery_token()
    {
        var client = await app.SignInAsAsync(AppRole.SystemAdmin);

        var forged = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]), Cancel);
        var stillIn = await client.GetAsync("/admin", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
    }

    internal static string ErrorMessages(string html)
    {
        var start = html.IndexOf("validation-summary", StringComparison.Ordinal);
        var end = html.IndexOf("</div>", start, StringComparison.Ordinal);
        return html[start..end];
    }
}

/// <summary>Its own database: locking an account out must not disturb the other tests.</summary>
public sealed class LockoutTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Repeated_failures_lock_the_account_without_saying_so()
    {
        var email = DevelopmentAccounts.EmailFor(AppRole.FrontlineWorker);
        var client = app.CreateBrowserlikeClient();
        var unknown = await client.PostLoginAsync("nobody-here@supportsignal.local", "not-the-password-1");
        var unknownAnswer = SignInTests.ErrorMessages(await unknown.Content.ReadAsStringAsync(Cancel));

        for (var attempt = 0; attempt < IdentityExtensions.MaxFailedAccessAttempts; attempt++)
        {
            var failed = await client.PostLoginAsync(email, "not-the-password-1");
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        // Now even the right password is refused, with the very same words as an unknown e-mail.
        var locked = await client.PostLoginAsync(email, TestDatabase.Password);
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Equal(unknownAnswer, SignInTests.ErrorMessages(await locked.Content.ReadAsStringAsync(Cancel)));
        Assert.Null(locked.Headers.Location);

        await using var db = app.OpenDatabase();
        var user = await db.Users.SingleAsync(u => u.Email == email, Cancel);
        Assert.True(user.LockoutEnd > DateTimeOffset.UtcNow.AddMinutes(10));
    }
}

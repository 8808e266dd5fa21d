using System.Net;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.ReliabilityTests;

/// <summary>Headers, sign-in hardening and cookies of the app as a developer runs it (Development).</summary>
public sealed partial class SecurityTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static readonly string[] AnonymousPages =
        ["/", "/account/login", "/account/login?ReturnUrl=%2Fadmin", "/account/access-denied", "/status/404", "/no-such-page", "/error", "/css/site.css", "/js/export.js", "/admin", ExportForm.Path];

    public static readonly string[] AdminPages = ["/", "/admin", ExportForm.Path, "/status/403", "/no-such-page"];

    [Fact]
    public async Task Every_page_download_and_error_carries_the_security_headers()
    {
        using var anonymous = app.CreateBrowserlikeClient();
        using var admin = await app.SignInAsAsync(AppRole.SystemAdmin);
        var responses = new List<(string, HttpResponseMessage)>();
        foreach (var path in AnonymousPages)
        {
            responses.Add(($"anonymous GET {path}", await anonymous.GetAsync(path, Cancel)));
        }

        foreach (var path in AdminPages)
        {
            responses.Add(($"admin GET {path}", await admin.GetAsync(path, Cancel)));
        }

        responses.Add(("admin POST export (download)", await ExportForm.PostFormatAsync(admin, "zip", cancellationToken: Cancel)));
        responses.Add(("admin POST export (bad input)", await ExportForm.PostFormatAsync(admin, "xml", cancellationToken: Cancel)));
        responses.Add(("POST without antiforgery token", await ExportForm.PostFormatAsync(admin, "json", withToken: false, cancellationToken: Cancel)));

        foreach (var (what, response) in responses)
        {
            SecurityAssert.Headers(response, what);
            response.Dispose();
        }

        Figures.Record("security.headers", $"{responses.Count} responses checked");
    }

    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_even_against_the_right_password()
    {
        var email = DevelopmentAccounts.EmailFor(AppRole.FrontlineWorker);
        using var client = app.CreateBrowserlikeClient();
        for (var i = 0; i < IdentityExtensions.MaxFailedAccessAttempts; i++)
        {
            var failed = await client.PostLoginAsync(email, "Wrong-Passw0rd-" + i);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        var locked = await client.PostLoginAsync(email, TestDatabase.Password);

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(Web.Pages.Account.LoginModel.FailureMessage), await locked.Content.ReadAsStringAsync(Cancel));
        Assert.False(locked.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(IdentityExtensions.CookieName, StringComparison.Ordinal)));
        await using var db = app.OpenDatabase();
        var user = await db.Users.SingleAsync(u => u.Email == email, Cancel);
        Assert.True(user.LockoutEnd > DateTimeOffset.UtcNow.AddMinutes(10), $"lockout ends {user.LockoutEnd}");
    }

    [Fact]
    public async Task The_login_page_answers_an_unknown_e_mail_exactly_like_a_wrong_password()
    {
        using var client = app.CreateBrowserlikeClient();

        var nobody = "nobody-" + Guid.NewGuid().ToString("N") + "@supportsignal.local";
        var someone = DevelopmentAccounts.EmailFor(AppRole.TeamLead);
        var unknown = await client.PostLoginAsync(nobody, "Wrong-Passw0rd-1");
        var wrong = await client.PostLoginAsync(someone, "Wrong-Passw0rd-1");

        // The form echoes what was typed into the e-mail field; apart from that, not one byte may differ.
        Assert.Equal(unknown.StatusCode, wrong.StatusCode);
        Assert.Equal(
            Normalize(await unknown.Content.ReadAsStringAsync(Cancel)).Replace(nobody, "<typed>", StringComparison.Ordinal),
            Normalize(await wrong.Content.ReadAsStringAsync(Cancel)).Replace(someone, "<typed>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_auth_cookie_is_http_only_and_same_site()
    {
        using var client = app.CreateBrowserlikeClient();

        var response = await client.PostLoginAsync(DevelopmentAccounts.AdminEmail, TestDatabase.Password);

        var cookie = SecurityAssert.AuthCookie(response);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("(?i)samesite=(lax|strict)", cookie);
    }

    // The antiforgery token differs per response by design; everything else must be identical.
    private static string Normalize(string html) => AntiforgeryValue().Replace(html, "value=\"…\"");

    [GeneratedRegex(@"value=""CfDJ8[^""]+""")]
    private static partial Regex AntiforgeryValue();
}

/// <summary>The app as deployed (Production, on https): Secure cookies and no developer exception page.</summary>
public sealed partial class ProductionSecurityTests(ProductionAppFactory app) : IClassFixture<ProductionAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_auth_cookie_is_secure_http_only_and_same_site_and_pages_carry_hsts()
    {
        using var client = app.Https();

        var response = await client.PostLoginAsync(DevelopmentAccounts.AdminEmail, TestDatabase.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = SecurityAssert.AuthCookie(response);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("(?i)samesite=(lax|strict)", cookie);
        using var page = await client.GetAsync(ExportForm.Path, Cancel);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.True(page.Headers.Contains("Strict-Transport-Security"));
        SecurityAssert.Headers(page, "production export page");
    }

    [Fact]
    public async Task An_unexpected_error_shows_the_error_page_with_a_reference_never_the_developer_exception_page()
    {
        using var client = app.Https();
        await client.PostLoginAsync(DevelopmentAccounts.AdminEmail, TestDatabase.Password);

        app.Faults.FailDatabaseOpen = true;
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(ExportForm.Path, Cancel);
        }
        finally
        {
            app.Faults.FailDatabaseOpen = false;
        }

        var html = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Something went wrong", html);
        Assert.Matches("<code>[0-9a-f]{32}</code>", html);
        Assert.DoesNotContain(ExportFaults.InternalDetail, html);
        Internals.AssertNoneOnPage(html, "the production error page");
        SecurityAssert.Headers(response, "the production error page");
    }
}

/// <summary>What every response and the sign-in cookie must carry.</summary>
public static class SecurityAssert
{
    public static void Headers(HttpResponseMessage response, string what)
    {
        var csp = Header(response, "Content-Security-Policy");
        Assert.True(csp is not null, $"{what}: no Content-Security-Policy");
        var scripts = Directive(csp, "script-src") ?? Directive(csp, "default-src");
        Assert.True(scripts is not null && !scripts.Contains("'unsafe-inline'", StringComparison.Ordinal) && !scripts.Contains("'unsafe-eval'", StringComparison.Ordinal),
            $"{what}: scripts are not locked down: {csp}");
        var frameAncestors = Directive(csp, "frame-ancestors");
        Assert.True(Header(response, "X-Frame-Options") == "DENY" || frameAncestors is "frame-ancestors 'self'" or "frame-ancestors 'none'",
            $"{what}: framing by other sites is not forbidden");
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.True(Header(response, "X-Content-Type-Options") == "nosniff", $"{what}: no nosniff");
        Assert.True(Header(response, "Referrer-Policy") is "same-origin" or "no-referrer" or "strict-origin-when-cross-origin" or "strict-origin",
            $"{what}: Referrer-Policy {Header(response, "Referrer-Policy")}");
    }

    public static string AuthCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(IdentityExtensions.CookieName + "=", StringComparison.Ordinal));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    private static string? Directive(string csp, string name) =>
        csp.Split(';', StringSplitOptions.TrimEntries).FirstOrDefault(d => d.StartsWith(name + " ", StringComparison.Ordinal));
}

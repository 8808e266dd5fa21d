using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Mvc.Testing;

using SupportSignal.Data.Entities;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.TestSupport;

/// <summary>Signs in through the real login form, antiforgery token and all.</summary>
public static partial class SignIn
{
    /// <summary>A client that keeps cookies and does not follow redirects, so tests see every 302.</summary>
    public static HttpClient CreateBrowserlikeClient(this SupportSignalAppFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public static Task<HttpClient> SignInAsAsync(this SupportSignalAppFactory factory, AppRole role) =>
        factory.SignInAsync(DevelopmentAccounts.EmailFor(role), TestDatabase.Password);

    /// <summary>Signs in and returns the signed-in client; throws if the login form did not accept the credentials.</summary>
    public static async Task<HttpClient> SignInAsync(this SupportSignalAppFactory factory, string email, string password)
    {
        var client = factory.CreateBrowserlikeClient();
        var response = await client.PostLoginAsync(email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {email} failed with {(int)response.StatusCode}.");
        }

        return client;
    }

    /// <summary>Fetches the login form and posts it, like a browser would.</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(this HttpClient client, string email, string password, string? returnUrl = null)
    {
        var token = await client.GetAntiforgeryTokenAsync("/account/login");
        var url = returnUrl is null ? "/account/login" : $"/account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        return await client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
    }

    /// <summary>Reads the antiforgery token from the first form of a page (the cookie half stays in the client).</summary>
    public static async Task<string> GetAntiforgeryTokenAsync(this HttpClient client, string pageUrl)
    {
        var response = await client.GetAsync(pageUrl);
        response.EnsureSuccessStatusCode();
        return AntiforgeryToken(await response.Content.ReadAsStringAsync());
    }

    public static string AntiforgeryToken(string html)
    {
        var match = AntiforgeryInput().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("The page has no antiforgery token.");
    }

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex AntiforgeryInput();
}

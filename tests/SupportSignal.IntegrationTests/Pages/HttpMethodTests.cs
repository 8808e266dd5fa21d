using System.Net;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages;

/// <summary>Methods other than GET, HEAD and POST, and method overrides, on every page, signed in or not.</summary>
public sealed class HttpMethodTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private const string ExportPath = "/admin/developer-tools/export";

    private static readonly string[] _otherMethods = ["TRACE", "OPTIONS", "PUT", "DELETE", "PATCH", "PROPFIND", "MKCOL", "LOCK", "DEBUG", "TRACK", "get-ish"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_other_method_gets_405_with_an_allow_header_on_every_page_signed_in_or_not()
    {
        var urls = SitePages.Urls(app);
        Assert.Contains(ExportPath, urls);
        Assert.Contains("/admin/developer-tools/export/history", urls);
        Assert.Contains("/", urls);
        using var admin = await app.SignInAsAsync(AppRole.SystemAdmin);
        using var worker = await app.SignInAsAsync(AppRole.FrontlineWorker);
        using var anonymous = app.CreateBrowserlikeClient();
        var answered = 0;
        foreach (var (who, client) in new[] { ("admin", admin), ("worker", worker), ("anonymous", anonymous) })
        {
            foreach (var url in urls)
            {
                foreach (var method in _otherMethods)
                {
                    using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url), Cancel);
                    var context = $"{method} {url} ({who})";
                    Assert.True(response.StatusCode == HttpStatusCode.MethodNotAllowed, $"{context} answered {(int)response.StatusCode}");
                    Assert.Equal(["GET", "HEAD", "POST"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
                    var body = await response.Content.ReadAsStringAsync(Cancel);
                    Assert.StartsWith("405 Method Not Allowed", body);
                    Assert.DoesNotContain("<html", body, StringComparison.OrdinalIgnoreCase);
                    answered++;
                }
            }
        }

        Assert.True(answered >= 3 * 10 * _otherMethods.Length, $"only {answered} requests");
    }

    [Fact]
    public async Task A_signed_in_trace_of_the_export_page_is_405_not_a_500_with_a_stack_trace()
    {
        using var admin = await app.SignInAsAsync(AppRole.SystemAdmin);

        using var response = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Trace, ExportPath), Cancel);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.DoesNotContain("Exception", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("X-HTTP-Method-Override")]
    [InlineData("X-HTTP-Method")]
    [InlineData("X-Method-Override")]
    public async Task A_method_override_header_is_ignored(string header)
    {
        using var admin = await app.SignInAsAsync(AppRole.SystemAdmin);
        using var anonymous = app.CreateBrowserlikeClient();

        // A GET that asks to be a DELETE (or a TRACE) is still the GET: the page, or the sign-in redirect.
        foreach (var method in new[] { "DELETE", "TRACE", "PUT" })
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, ExportPath);
            get.Headers.Add(header, method);
            using var page = await admin.SendAsync(get, Cancel);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Export Full Database", await page.Content.ReadAsStringAsync(Cancel));

            using var anonymousGet = new HttpRequestMessage(HttpMethod.Get, ExportPath);
            anonymousGet.Headers.Add(header, method);
            using var redirect = await anonymous.SendAsync(anonymousGet, Cancel);
            Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
            Assert.Equal("/account/login", redirect.Headers.Location?.AbsolutePath);
        }

        // A TRACE that asks to be a GET is still a TRACE.
        using var trace = new HttpRequestMessage(HttpMethod.Trace, ExportPath);
        trace.Headers.Add(header, "GET");
        using var refused = await admin.SendAsync(trace, Cancel);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
    }

    [Fact]
    public async Task A_post_that_asks_to_be_a_delete_is_the_export_post_and_its_download()
    {
        using var admin = await app.SignInAsAsync(AppRole.SystemAdmin);
        var token = await admin.GetAntiforgeryTokenAsync(ExportPath);
        using var post = new HttpRequestMessage(HttpMethod.Post, ExportPath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Format"] = "json",
                ["_method"] = "DELETE",
                ["__RequestVerificationToken"] = token,
            }),
        };
        post.Headers.Add("X-HTTP-Method-Override", "DELETE");

        using var response = await admin.SendAsync(post, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("supportsignal-db-export-", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }
}

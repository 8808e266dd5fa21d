using System.Net;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;

namespace SupportSignal.IntegrationTests.Pages.Admin;

/// <summary>The folder conventions: the admin area and its developer tools are for system admins only.</summary>
public sealed class AuthorizationTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private const string ExportPage = "/admin/developer-tools/export";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<AppRole, string> NonAdminRequests()
    {
        var data = new TheoryData<AppRole, string>();
        foreach (var role in Enum.GetValues<AppRole>().Where(r => r != AppRole.SystemAdmin))
        {
            data.Add(role, "GET");
            data.Add(role, "POST");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NonAdminRequests))]
    public async Task Every_other_role_gets_a_plain_403_under_developer_tools(AppRole role, string method)
    {
        var client = await app.SignInAsAsync(role);
        // The POST carries a valid antiforgery token, so only the missing role can be the reason for 403.
        var response = method == "GET"
            ? await client.GetAsync(ExportPage, Cancel)
            : await ExportForm.PostFormatAsync(client, "json");
        var html = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Access denied", html);
        // Reveals nothing: not the policy, not the role it wanted, not what the page holds.
        Assert.DoesNotContain("SystemAdmin", html);
        Assert.DoesNotContain("policy", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("record", html, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Theory]
    [InlineData(AppRole.CompanyAdmin)]
    [InlineData(AppRole.TeamLead)]
    public async Task Other_roles_get_403_on_the_admin_landing_page_too(AppRole role)
    {
        var client = await app.SignInAsAsync(role);

        var response = await client.GetAsync("/admin", Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", ExportPage)]
    [InlineData("POST", ExportPage)]
    [InlineData("GET", "/admin")]
    public async Task Anonymous_visitors_are_sent_to_sign_in_with_a_return_url(string method, string path)
    {
        var client = app.CreateBrowserlikeClient();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/account/login?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location?.PathAndQuery);
    }

    [Fact]
    public async Task The_system_admin_opens_the_export_page()
    {
        var client = await app.SignInAsAsync(AppRole.SystemAdmin);

        var response = await client.GetAsync(ExportPage, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Database Export", await response.Content.ReadAsStringAsync(Cancel));
    }
}

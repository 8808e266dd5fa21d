using Microsoft.Playwright;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.BrowserTests;

internal static class BrowserSignIn
{
    /// <summary>Opens <paramref name="path"/>, is sent to the login form, fills it in and comes back.</summary>
    public static async Task<IPage> OpenSignedInAsync(this IBrowserContext context, string path, AppRole role)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        Assert.StartsWith("/account/login", new Uri(page.Url).AbsolutePath);
        await page.GetByLabel("E-mail").FillAsync(DevelopmentAccounts.EmailFor(role));
        await page.GetByLabel("Password").FillAsync(TestDatabase.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
        return page;
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

using SupportSignal.BrowserTests.Engines;
using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;
using SupportSignal.Web.Pages.Admin.DeveloperTools.Export;

namespace SupportSignal.BrowserTests;

/// <summary>
/// The real app on real Kestrel (a loopback port) and one browser engine, shared by the tests of a
/// class; each test opens its own tab with its own cookies. A missing engine skips the test on a
/// developer's machine and fails it in CI (CI=true), so nothing silently goes untested.
/// </summary>
public sealed class BrowserFixture<TEngine> : IAsyncLifetime
    where TEngine : IBrowserEngine, new()
{
    public FaultyAppFactory App { get; } = new();

    public TEngine Engine { get; } = new();

    /// <summary>Every export POST's response as the app sent it, and a switch to hold the next one.</summary>
    public ExportResponses Responses { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public const long ClipboardMaxBytes = 200 * 1024;

    private bool _started;

    public async ValueTask InitializeAsync()
    {
        App.ConfigureServices(services => services.AddSingleton<IStartupFilter>(Responses));
        // A small clipboard limit, so that one company's incidents fit and the whole company does not.
        App.WithSetting(ClipboardLimit.MaxBytesKey, ClipboardMaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await App.InitializeAsync();
        BaseAddress = App.StartRealServer();
        if (Engine.MissingReason is null)
        {
            await Engine.StartAsync();
            _started = true;
        }
    }

    public async Task<IBrowserTab> NewTabAsync()
    {
        RequireEngine();
        return await Engine.NewTabAsync(BaseAddress, Responses);
    }

    public void RequireEngine()
    {
        if (_started)
        {
            return;
        }

        var reason = Engine.MissingReason ?? $"{Engine.Name} did not start.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(reason + " CI must run the browser tests in every engine.");
        }

        Assert.Skip(reason + " Browser tests skipped for this engine.");
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        await App.DisposeAsync();
    }
}

internal static class BrowserTabs
{
    /// <summary>Opens <paramref name="path"/>, is sent to the login form, fills it in and comes back.</summary>
    public static async Task OpenSignedInAsync(this IBrowserTab tab, string path, AppRole role)
    {
        await tab.GoToAsync(path);
        Assert.StartsWith("/account/login", await tab.PathAsync());
        await tab.WaitUntilAsync("document.readyState === 'complete'", "the sign-in page to load");
        var email = DevelopmentAccounts.EmailFor(role);
        // The e-mail field has autofocus, which WebKit can apply while the keys for the password are
        // still arriving (some then land in the e-mail field): check what was typed, and type again if needed.
        for (var attempt = 1; ; attempt++)
        {
            await tab.TypeAsync("#Input_Email", email);
            await tab.TypeAsync("#Input_Password", TestDatabase.Password);
            var typed = await tab.EvaluateAsync<string[]>("[document.querySelector('#Input_Email').value, document.querySelector('#Input_Password').value]");
            if (typed[0] == email && typed[1] == TestDatabase.Password)
            {
                break;
            }

            Assert.True(attempt < 3, $"{tab.Engine} did not take the sign-in details as typed");
        }

        await tab.ClickAsync("form button[type=submit]");
        await tab.WaitUntilAsync("location.pathname !== '/account/login' && document.readyState === 'complete'", "the sign-in to finish");
    }

    public static Task<string> PathAsync(this IBrowserTab tab) => tab.EvaluateAsync<string>("location.pathname");

    /// <summary>Waits until a JavaScript condition holds (a navigation in between counts as "not yet"); a screenshot shows where it stuck.</summary>
    public static async Task WaitUntilAsync(this IBrowserTab tab, string condition, string awaited)
    {
        try
        {
            await Poll.UntilAsync(async () =>
            {
                try
                {
                    return await tab.EvaluateAsync<bool>($"!!({condition})");
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    return false;
                }
            }, $"{awaited} in {tab.Engine}");
        }
        catch (TimeoutException)
        {
            await tab.ScreenshotAsync("timed-out-" + new string([.. awaited.Where(char.IsLetterOrDigit)]));
            throw;
        }
    }

    public static Task WaitForAsync(this IBrowserTab tab, string selector) =>
        tab.WaitUntilAsync($"(e => e && !e.hidden && e.getClientRects().length > 0)(document.querySelector({Js(selector)}))", $"{selector} to show");

    public static Task<string?> TextAsync(this IBrowserTab tab, string selector) =>
        tab.EvaluateAsync<string?>($"document.querySelector({Js(selector)})?.innerText ?? null");

    public static Task<bool> IsVisibleAsync(this IBrowserTab tab, string selector) =>
        tab.EvaluateAsync<bool>($"(e => !!e && !e.hidden && e.getClientRects().length > 0)(document.querySelector({Js(selector)}))");

    public static Task<bool> IsDisabledAsync(this IBrowserTab tab, string selector) =>
        tab.EvaluateAsync<bool>($"document.querySelector({Js(selector)}).disabled");

    public static Task<int> CountAsync(this IBrowserTab tab, string selector) =>
        tab.EvaluateAsync<int>($"document.querySelectorAll({Js(selector)}).length");

    /// <summary>A value as a JavaScript literal.</summary>
    public static string Js(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}

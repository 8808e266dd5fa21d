using Microsoft.EntityFrameworkCore;

using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.IntegrationTests;

/// <summary>Whatever a user does, no password, e-mail or personal detail reaches a log line.</summary>
public sealed class LogPrivacyTests(SupportSignalAppFactory app) : IClassFixture<SupportSignalAppFactory>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_ins_failures_lockouts_page_views_and_exports_log_nothing_personal()
    {
        const string WrongPassword = "Wrong-Passw0rd-Typed-By-Hand";
        var anonymous = app.CreateBrowserlikeClient();
        await anonymous.PostLoginAsync("someone.unknown@example.org", WrongPassword);
        for (var attempt = 0; attempt <= IdentityExtensions.MaxFailedAccessAttempts; attempt++)
        {
            await anonymous.PostLoginAsync(DevelopmentAccounts.EmailFor(AppRole.DemoAdmin), WrongPassword);
        }

        var teamLead = await app.SignInAsAsync(AppRole.TeamLead);
        await teamLead.GetAsync("/admin/developer-tools/export", Cancel);
        var admin = await app.SignInAsAsync(AppRole.SystemAdmin);
        await admin.GetAsync("/admin/developer-tools/export", Cancel);
        var export = await ExportForm.PostFormatAsync(admin, "json");
        await export.Content.ReadAsByteArrayAsync(Cancel);

        var logs = app.Logs.AllText();
        Assert.NotEmpty(app.Logs.Events);
        Assert.Contains("signed in", logs);
        foreach (var secret in await PersonalValuesAsync())
        {
            Assert.DoesNotContain(secret, logs, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(TestDatabase.Password, logs);
        Assert.DoesNotContain(WrongPassword, logs);
        Assert.DoesNotContain("someone.unknown", logs);
    }

    // Identifiers and prose straight from the database: every e-mail and name, some NDIS numbers and narratives.
    private async Task<List<string>> PersonalValuesAsync()
    {
        await using var db = app.OpenDatabase();
        var values = new List<string?>();
        values.AddRange(await db.Users.Select(u => u.Email!).ToListAsync(Cancel));
        values.AddRange(await db.Users.Select(u => u.Name).ToListAsync(Cancel));
        values.AddRange(await db.Users.Select(u => u.PasswordHash!).ToListAsync(Cancel));
        values.AddRange(await db.Participants.Select(p => p.FirstName + " " + p.LastName).ToListAsync(Cancel));
        values.AddRange(await db.Participants.Select(p => p.NdisNumber).ToListAsync(Cancel));
        values.AddRange(await db.Companies.Select(c => c.ContactEmail).ToListAsync(Cancel));
        values.AddRange(await db.IncidentNarratives.Select(n => n.BeforeEvent).Take(20).ToListAsync(Cancel));
        return values.OfType<string>().Where(v => v.Trim().Length >= 6).Distinct().ToList();
    }
}

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.Data.Entities;

namespace SupportSignal.Web.Infrastructure;

/// <summary>
/// The sign-ins a developer (and the test suite) uses: one account per role, all sharing one
/// password. Never created outside Development.
/// </summary>
public static class DevelopmentAccounts
{
    public const string AdminEmail = "admin@supportsignal.local";

    public static IReadOnlyList<(string Email, string Name, AppRole Role)> All { get; } =
    [
        (AdminEmail, "System Admin", AppRole.SystemAdmin),
        ("demoadmin@supportsignal.local", "Demo Admin", AppRole.DemoAdmin),
        ("companyadmin@supportsignal.local", "Company Admin", AppRole.CompanyAdmin),
        ("teamlead@supportsignal.local", "Team Lead", AppRole.TeamLead),
        ("worker@supportsignal.local", "Frontline Worker", AppRole.FrontlineWorker),
    ];

    public static string EmailFor(AppRole role) => All.Single(a => a.Role == role).Email;

    /// <summary>Creates the accounts or resets their password, role and lockout.</summary>
    public static async Task EnsureAsync(SupportSignalDbContext db, string password, CancellationToken cancellationToken = default)
    {
        // Company-level roles belong to a company when there is one (the demo set has several).
        var companyId = await db.Companies.OrderBy(c => c.Name).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(cancellationToken);
        foreach (var (email, name, role) in All)
        {
            var company = role is AppRole.SystemAdmin or AppRole.DemoAdmin ? null : companyId;
            await AccountSeeder.EnsureUserAsync(db, email, name, role, password, company, cancellationToken);
        }
    }
}

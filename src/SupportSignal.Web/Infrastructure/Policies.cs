using SupportSignal.Data;
using SupportSignal.Data.Entities;

namespace SupportSignal.Web.Infrastructure;

public static class Policies
{
    /// <summary>Only system administrators: the admin area and its developer tools.</summary>
    public const string SystemAdmin = nameof(SystemAdmin);

    public static string SystemAdminRole { get; } = AccountSeeder.RoleName(AppRole.SystemAdmin);
}

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using SupportSignal.Data.Entities;

namespace SupportSignal.Data;

/// <summary>
/// Creates Identity roles and users straight through the context, with Identity's own
/// password hasher and normalizer, so the CLI and the demo generator need no UserManager.
/// </summary>
public static class AccountSeeder
{
    private static readonly PasswordHasher<User> _hasher = new();
    private static readonly UpperInvariantLookupNormalizer _normalizer = new();

    /// <summary>The Identity role name for each application role ("SystemAdmin", ...).</summary>
    public static string RoleName(AppRole role) => role.ToString();

    public static async Task EnsureRolesAsync(SupportSignalDbContext db, CancellationToken cancellationToken = default)
    {
        var existing = await db.Roles.Select(r => r.Name).ToListAsync(cancellationToken);
        foreach (var role in Enum.GetValues<AppRole>().Select(RoleName).Except(existing))
        {
            db.Roles.Add(new Role
            {
                Id = Guid.NewGuid(),
                Name = role,
                NormalizedName = _normalizer.NormalizeName(role),
                ConcurrencyStamp = Guid.NewGuid().ToString(),
            });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Creates the user, or resets the password and role of an existing one with that e-mail.
    /// </summary>
    public static async Task<User> EnsureUserAsync(
        SupportSignalDbContext db, string email, string name, AppRole role, string password, Guid? companyId = null,
        CancellationToken cancellationToken = default)
    {
        await EnsureRolesAsync(db, cancellationToken);
        var normalizedEmail = _normalizer.NormalizeEmail(email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalizedEmail, cancellationToken);
        if (user is null)
        {
            user = NewUser(email, name, role, companyId, DateTime.UtcNow);
            db.Users.Add(user);
        }

        user.Role = role;
        user.CompanyId = companyId ?? user.CompanyId;
        user.PasswordHash = _hasher.HashPassword(user, password);
        user.SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant();
        user.LockoutEnd = null;
        user.AccessFailedCount = 0;

        var roleName = _normalizer.NormalizeName(RoleName(role));
        var roleId = await db.Roles.Where(r => r.NormalizedName == roleName).Select(r => r.Id).SingleAsync(cancellationToken);
        var links = await db.UserRoles.Where(ur => ur.UserId == user.Id).ToListAsync(cancellationToken);
        db.UserRoles.RemoveRange(links.Where(l => l.RoleId != roleId));
        if (links.All(l => l.RoleId != roleId))
        {
            db.UserRoles.Add(new IdentityUserRole<Guid> { UserId = user.Id, RoleId = roleId });
        }

        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    /// <summary>A new user with normalized names and stamps; the password hash is set by the caller.</summary>
    public static User NewUser(string email, string name, AppRole role, Guid? companyId, DateTime createdAt, Guid? id = null) => new()
    {
        Id = id ?? Guid.NewGuid(),
        Email = email,
        NormalizedEmail = _normalizer.NormalizeEmail(email),
        UserName = email,
        NormalizedUserName = _normalizer.NormalizeName(email),
        Name = name,
        Role = role,
        CompanyId = companyId,
        EmailConfirmed = true,
        LockoutEnabled = true,
        SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant(),
        ConcurrencyStamp = Guid.NewGuid().ToString(),
        CreatedAt = createdAt,
    };

    public static string HashPassword(User user, string password) => _hasher.HashPassword(user, password);
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using SupportSignal.Data.Classification;
using SupportSignal.Data.Entities;

using static SupportSignal.Data.Classification.DataClass;

namespace SupportSignal.Data.Configuration;

public sealed class CompanyConfiguration : IEntityTypeConfiguration<Company>
{
    public void Configure(EntityTypeBuilder<Company> b)
    {
        b.ToTable("companies").HasTableRole(TableRole.Tenant);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Slug).HasMaxLength(100);
        b.Property(x => x.ContactEmail).HasMaxLength(256);
        b.HasIndex(x => x.Slug).IsUnique();
        b.HasOne<User>().WithMany().HasForeignKey(x => x.CreatedBy);
        b.Classify(Ordinary, nameof(Company.Id), nameof(Company.Name), nameof(Company.Slug), nameof(Company.Status),
            nameof(Company.CreatedAt), nameof(Company.CreatedBy));
        b.Personal(PersonalKind.Email, nameof(Company.ContactEmail));
    }
}

public sealed class SiteConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> b)
    {
        b.ToTable("sites").HasTableRole(TableRole.Site);
        b.Property(x => x.Name).HasMaxLength(200);
        b.HasOne<Company>().WithMany().HasForeignKey(x => x.CompanyId);
        b.Classify(Ordinary, nameof(Site.Id), nameof(Site.CompanyId), nameof(Site.Name), nameof(Site.Status), nameof(Site.CreatedAt));
        b.Personal(PersonalKind.Address, nameof(Site.Address));
    }
}

public sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> b)
    {
        b.ToTable("users").HasTableRole(TableRole.Accounts);
        b.Property(x => x.Name).HasMaxLength(200);
        b.HasOne<Company>().WithMany().HasForeignKey(x => x.CompanyId);
        b.HasIndex(x => x.CompanyId);
        b.Classify(Ordinary, nameof(User.Id), nameof(User.ConcurrencyStamp), nameof(User.LockoutEnd), nameof(User.LockoutEnabled),
            nameof(User.AccessFailedCount), nameof(User.EmailConfirmed), nameof(User.PhoneNumberConfirmed),
            nameof(User.TwoFactorEnabled), nameof(User.Role), nameof(User.CompanyId), nameof(User.ProfileImageUrl),
            nameof(User.CreatedAt));
        b.Personal(PersonalKind.UserFullName, nameof(User.Name));
        b.Personal(PersonalKind.Email, nameof(User.Email), nameof(User.NormalizedEmail), nameof(User.UserName), nameof(User.NormalizedUserName));
        b.Personal(PersonalKind.Phone, nameof(User.PhoneNumber));
        b.Classify(Secret, nameof(User.PasswordHash), nameof(User.SecurityStamp));
    }
}

public sealed class RoleConfiguration : IEntityTypeConfiguration<Role>
{
    public void Configure(EntityTypeBuilder<Role> b)
    {
        b.ToTable("roles");
        b.Classify(Ordinary, nameof(Role.Id), nameof(Role.Name), nameof(Role.NormalizedName), nameof(Role.ConcurrencyStamp));
    }
}

public sealed class UserInvitationConfiguration : IEntityTypeConfiguration<UserInvitation>
{
    public void Configure(EntityTypeBuilder<UserInvitation> b)
    {
        b.ToTable("user_invitations");
        b.Property(x => x.Email).HasMaxLength(256);
        b.Property(x => x.InvitationToken).HasMaxLength(128);
        b.HasOne<Company>().WithMany().HasForeignKey(x => x.CompanyId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.InvitedBy);
        b.HasIndex(x => x.InvitationToken).IsUnique();
        b.Classify(Ordinary, nameof(UserInvitation.Id), nameof(UserInvitation.Role), nameof(UserInvitation.CompanyId),
            nameof(UserInvitation.InvitedBy), nameof(UserInvitation.Status), nameof(UserInvitation.ExpiresAt),
            nameof(UserInvitation.CreatedAt), nameof(UserInvitation.AcceptedAt));
        b.Personal(PersonalKind.Email, nameof(UserInvitation.Email));
        b.Classify(Secret, nameof(UserInvitation.InvitationToken));
    }
}

public sealed class ImpersonationSessionConfiguration : IEntityTypeConfiguration<ImpersonationSession>
{
    public void Configure(EntityTypeBuilder<ImpersonationSession> b)
    {
        b.ToTable("impersonation_sessions");
        b.Property(x => x.SessionToken).HasMaxLength(128);
        b.Property(x => x.OriginalSessionToken).HasMaxLength(128);
        b.Property(x => x.CorrelationId).HasMaxLength(64);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.AdminUserId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.TargetUserId);
        b.Classify(Ordinary, nameof(ImpersonationSession.Id), nameof(ImpersonationSession.AdminUserId),
            nameof(ImpersonationSession.TargetUserId), nameof(ImpersonationSession.ExpiresAt), nameof(ImpersonationSession.IsActive),
            nameof(ImpersonationSession.CreatedAt), nameof(ImpersonationSession.TerminatedAt), nameof(ImpersonationSession.CorrelationId));
        b.Classify(Secret, nameof(ImpersonationSession.SessionToken), nameof(ImpersonationSession.OriginalSessionToken));
        b.Classify(FreeText, nameof(ImpersonationSession.Reason));
    }
}

public sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKeyRecord>
{
    public void Configure(EntityTypeBuilder<DataProtectionKeyRecord> b)
    {
        b.ToTable("data_protection_keys");
        b.Classify(Ordinary, nameof(DataProtectionKeyRecord.Id));
        // The friendly name is key-ring metadata (it dates each key): kept with the key material.
        b.Classify(Secret, nameof(DataProtectionKeyRecord.FriendlyName), nameof(DataProtectionKeyRecord.Xml));
    }
}

using Microsoft.AspNetCore.Identity;

namespace SupportSignal.Data.Entities;

public class Company
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public string? ContactEmail { get; set; }
    public CompanyStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid? CreatedBy { get; set; }
}

public class Site
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Name { get; set; } = "";
    public string? Address { get; set; }
    public SiteStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
}

public class User : IdentityUser<Guid>
{
    public string Name { get; set; } = "";
    public AppRole Role { get; set; }
    public Guid? CompanyId { get; set; }
    public string? ProfileImageUrl { get; set; }
    public DateTime CreatedAt { get; set; }
}

public class Role : IdentityRole<Guid>
{
}

public class UserInvitation
{
    public Guid Id { get; set; }
    public string Email { get; set; } = "";
    public AppRole Role { get; set; }
    public Guid CompanyId { get; set; }
    public Guid InvitedBy { get; set; }
    public string InvitationToken { get; set; } = "";
    public InvitationStatus Status { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? AcceptedAt { get; set; }
}

public class ImpersonationSession
{
    public Guid Id { get; set; }
    public Guid AdminUserId { get; set; }
    public Guid TargetUserId { get; set; }
    public string SessionToken { get; set; } = "";
    public string? OriginalSessionToken { get; set; }
    public string? Reason { get; set; }
    public DateTime ExpiresAt { get; set; }
    public bool IsActive { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? TerminatedAt { get; set; }
    public string? CorrelationId { get; set; }
}

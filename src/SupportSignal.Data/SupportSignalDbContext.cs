using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

using SupportSignal.Data.Classification;
using SupportSignal.Data.Entities;

using static SupportSignal.Data.Classification.DataClass;

namespace SupportSignal.Data;

/// <summary>
/// The one database of the application, Identity included. Each provider has a derived
/// context (<see cref="SqliteSupportSignalDbContext"/>, <see cref="SqlServerSupportSignalDbContext"/>,
/// <see cref="PostgreSqlSupportSignalDbContext"/>)
/// only so that each owns its own migration set.
/// </summary>
public abstract class SupportSignalDbContext(DbContextOptions options)
    : IdentityDbContext<User, Role, Guid, IdentityUserClaim<Guid>, IdentityUserRole<Guid>, IdentityUserLogin<Guid>,
        IdentityRoleClaim<Guid>, IdentityUserToken<Guid>>(options)
{
    public DbSet<Company> Companies => Set<Company>();
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<UserInvitation> UserInvitations => Set<UserInvitation>();
    public DbSet<ImpersonationSession> ImpersonationSessions => Set<ImpersonationSession>();
    public DbSet<Participant> Participants => Set<Participant>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentNarrative> IncidentNarratives => Set<IncidentNarrative>();
    public DbSet<ClarificationQuestion> ClarificationQuestions => Set<ClarificationQuestion>();
    public DbSet<ClarificationAnswer> ClarificationAnswers => Set<ClarificationAnswer>();
    public DbSet<IncidentAnalysis> IncidentAnalyses => Set<IncidentAnalysis>();
    public DbSet<IncidentClassification> IncidentClassifications => Set<IncidentClassification>();
    public DbSet<EnhancedNarrative> EnhancedNarratives => Set<EnhancedNarrative>();
    public DbSet<WorkflowHandoff> WorkflowHandoffs => Set<WorkflowHandoff>();
    public DbSet<AiPrompt> AiPrompts => Set<AiPrompt>();
    public DbSet<AiRequestLog> AiRequestLogs => Set<AiRequestLog>();
    public DbSet<DebugLog> DebugLogs => Set<DebugLog>();
    public DbSet<DataProtectionKeyRecord> DataProtectionKeys => Set<DataProtectionKeyRecord>();
    public DbSet<ExportAudit> ExportAudits => Set<ExportAudit>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(SupportSignalDbContext).Assembly);
        ConfigureIdentityTables(builder);
        ModelConventions.Apply(builder);
    }

    private static void ConfigureIdentityTables(ModelBuilder builder)
    {
        builder.Entity<IdentityUserRole<Guid>>(b =>
        {
            b.ToTable("user_roles");
            b.Classify(Ordinary, "UserId", "RoleId");
        });
        builder.Entity<IdentityUserClaim<Guid>>(b =>
        {
            b.ToTable("user_claims");
            b.Classify(Ordinary, "Id", "UserId", "ClaimType");
            // Claims can carry anything about a person (a name, a birth date).
            b.Personal(PersonalKind.Other, "ClaimValue");
        });
        builder.Entity<IdentityUserLogin<Guid>>(b =>
        {
            b.ToTable("user_logins");
            b.Classify(Ordinary, "LoginProvider", "ProviderDisplayName", "UserId");
            b.Classify(Secret, "ProviderKey");
        });
        builder.Entity<IdentityUserToken<Guid>>(b =>
        {
            b.ToTable("user_tokens");
            b.Classify(Ordinary, "UserId", "LoginProvider", "Name");
            b.Classify(Secret, "Value");
        });
        builder.Entity<IdentityRoleClaim<Guid>>(b =>
        {
            b.ToTable("role_claims");
            b.Classify(Ordinary, "Id", "RoleId", "ClaimType", "ClaimValue");
        });
    }
}

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

public sealed class SqliteSupportSignalDbContext(DbContextOptions<SqliteSupportSignalDbContext> options)
    : SupportSignalDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class SqlServerSupportSignalDbContext(DbContextOptions<SqlServerSupportSignalDbContext> options)
    : SupportSignalDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.SqlServer;
}

public sealed class PostgreSqlSupportSignalDbContext(DbContextOptions<PostgreSqlSupportSignalDbContext> options)
    : SupportSignalDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
}

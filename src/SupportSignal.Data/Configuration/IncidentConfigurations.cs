using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using SupportSignal.Data.Classification;
using SupportSignal.Data.Entities;

using static SupportSignal.Data.Classification.DataClass;

namespace SupportSignal.Data.Configuration;

public sealed class ParticipantConfiguration : IEntityTypeConfiguration<Participant>
{
    public void Configure(EntityTypeBuilder<Participant> b)
    {
        b.ToTable("participants");
        b.Property(x => x.FirstName).HasMaxLength(100);
        b.Property(x => x.LastName).HasMaxLength(100);
        b.Property(x => x.NdisNumber).HasMaxLength(20);
        b.Property(x => x.ContactPhone).HasMaxLength(40);
        b.HasOne<Company>().WithMany().HasForeignKey(x => x.CompanyId);
        b.HasOne<Site>().WithMany().HasForeignKey(x => x.SiteId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.CreatedBy);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.UpdatedBy);
        b.Classify(Ordinary, nameof(Participant.Id), nameof(Participant.CompanyId), nameof(Participant.SiteId),
            nameof(Participant.SupportLevel), nameof(Participant.Status), nameof(Participant.CreatedAt), nameof(Participant.CreatedBy),
            nameof(Participant.UpdatedAt), nameof(Participant.UpdatedBy));
        b.Personal(PersonalKind.ParticipantGivenName, nameof(Participant.FirstName));
        b.Personal(PersonalKind.ParticipantFamilyName, nameof(Participant.LastName));
        b.Personal(PersonalKind.BirthDate, nameof(Participant.DateOfBirth));
        b.Personal(PersonalKind.NdisNumber, nameof(Participant.NdisNumber));
        b.Personal(PersonalKind.Phone, nameof(Participant.ContactPhone));
        b.Personal(PersonalKind.ContactDetails, nameof(Participant.EmergencyContact));
        b.Classify(FreeText, nameof(Participant.CareNotes));
    }
}

public sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> b)
    {
        b.ToTable("incidents").EventDateColumn(nameof(Incident.EventDateTime));
        b.Property(x => x.ReporterName).HasMaxLength(200);
        b.Property(x => x.ParticipantName).HasMaxLength(200);
        b.HasOne<Company>().WithMany().HasForeignKey(x => x.CompanyId);
        b.HasOne<Site>().WithMany().HasForeignKey(x => x.SiteId);
        b.HasOne<Participant>().WithMany().HasForeignKey(x => x.ParticipantId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.CreatedBy);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.UpdatedBy);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.SubmittedBy);
        b.HasIndex(x => new { x.CompanyId, x.EventDateTime });
        b.HasIndex(x => x.EventDateTime);
        b.HasIndex(x => x.CreatedAt);
        b.Classify(Ordinary, nameof(Incident.Id), nameof(Incident.CompanyId), nameof(Incident.SiteId), nameof(Incident.ParticipantId),
            nameof(Incident.EventDateTime), nameof(Incident.CaptureStatus), nameof(Incident.AnalysisStatus), nameof(Incident.OverallStatus),
            nameof(Incident.HandoffStatus), nameof(Incident.QuestionsGenerated), nameof(Incident.NarrativeEnhanced),
            nameof(Incident.AnalysisGenerated), nameof(Incident.CreatedAt), nameof(Incident.CreatedBy), nameof(Incident.UpdatedAt),
            nameof(Incident.UpdatedBy), nameof(Incident.SubmittedAt), nameof(Incident.SubmittedBy));
        b.Personal(PersonalKind.UserFullName, nameof(Incident.ReporterName));
        b.Personal(PersonalKind.ParticipantName, nameof(Incident.ParticipantName));
        b.Classify(FreeText, nameof(Incident.Location));
    }
}

public sealed class IncidentNarrativeConfiguration : IEntityTypeConfiguration<IncidentNarrative>
{
    public void Configure(EntityTypeBuilder<IncidentNarrative> b)
    {
        b.ToTable("incident_narratives");
        b.Property(x => x.NarrativeHash).HasMaxLength(64);
        b.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId);
        b.Classify(Ordinary, nameof(IncidentNarrative.Id), nameof(IncidentNarrative.IncidentId), nameof(IncidentNarrative.NarrativeHash),
            nameof(IncidentNarrative.Version), nameof(IncidentNarrative.CreatedAt), nameof(IncidentNarrative.UpdatedAt),
            nameof(IncidentNarrative.EnhancedAt));
        b.Classify(FreeText, nameof(IncidentNarrative.BeforeEvent), nameof(IncidentNarrative.DuringEvent), nameof(IncidentNarrative.EndEvent),
            nameof(IncidentNarrative.PostEvent), nameof(IncidentNarrative.BeforeEventExtra), nameof(IncidentNarrative.DuringEventExtra),
            nameof(IncidentNarrative.EndEventExtra), nameof(IncidentNarrative.PostEventExtra), nameof(IncidentNarrative.ConsolidatedNarrative));
    }
}

public sealed class ClarificationQuestionConfiguration : IEntityTypeConfiguration<ClarificationQuestion>
{
    public void Configure(EntityTypeBuilder<ClarificationQuestion> b)
    {
        b.ToTable("clarification_questions");
        b.Property(x => x.QuestionKey).HasMaxLength(100);
        b.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId);
        b.Classify(Ordinary, nameof(ClarificationQuestion.Id), nameof(ClarificationQuestion.IncidentId), nameof(ClarificationQuestion.QuestionKey),
            nameof(ClarificationQuestion.Phase), nameof(ClarificationQuestion.QuestionOrder), nameof(ClarificationQuestion.GeneratedAt),
            nameof(ClarificationQuestion.AiModel), nameof(ClarificationQuestion.PromptVersion), nameof(ClarificationQuestion.IsActive));
        b.Classify(FreeText, nameof(ClarificationQuestion.QuestionText));
    }
}

public sealed class ClarificationAnswerConfiguration : IEntityTypeConfiguration<ClarificationAnswer>
{
    public void Configure(EntityTypeBuilder<ClarificationAnswer> b)
    {
        b.ToTable("clarification_answers");
        b.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId);
        b.HasOne<ClarificationQuestion>().WithMany().HasForeignKey(x => x.QuestionId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.AnsweredBy);
        b.Classify(Ordinary, nameof(ClarificationAnswer.Id), nameof(ClarificationAnswer.IncidentId), nameof(ClarificationAnswer.QuestionId),
            nameof(ClarificationAnswer.Phase), nameof(ClarificationAnswer.AnsweredAt), nameof(ClarificationAnswer.AnsweredBy),
            nameof(ClarificationAnswer.UpdatedAt), nameof(ClarificationAnswer.IsComplete), nameof(ClarificationAnswer.CharacterCount),
            nameof(ClarificationAnswer.WordCount));
        b.Classify(FreeText, nameof(ClarificationAnswer.AnswerText));
    }
}

public sealed class IncidentAnalysisConfiguration : IEntityTypeConfiguration<IncidentAnalysis>
{
    public void Configure(EntityTypeBuilder<IncidentAnalysis> b)
    {
        b.ToTable("incident_analysis");
        b.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.AnalyzedBy);
        b.Classify(Ordinary, nameof(IncidentAnalysis.Id), nameof(IncidentAnalysis.IncidentId), nameof(IncidentAnalysis.ConditionsEdited),
            nameof(IncidentAnalysis.AnalyzedAt), nameof(IncidentAnalysis.AnalyzedBy), nameof(IncidentAnalysis.UpdatedAt),
            nameof(IncidentAnalysis.AiModel), nameof(IncidentAnalysis.AiConfidence), nameof(IncidentAnalysis.AiProcessingTimeMs),
            nameof(IncidentAnalysis.AnalysisStatus), nameof(IncidentAnalysis.RevisionCount));
        b.Classify(FreeText, nameof(IncidentAnalysis.ContributingConditions), nameof(IncidentAnalysis.ConditionsOriginal));
    }
}

public sealed class IncidentClassificationConfiguration : IEntityTypeConfiguration<IncidentClassification>
{
    public void Configure(EntityTypeBuilder<IncidentClassification> b)
    {
        b.ToTable("incident_classifications");
        b.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId);
        b.HasOne<IncidentAnalysis>().WithMany().HasForeignKey(x => x.AnalysisId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.ClassifiedBy);
        b.Classify(Ordinary, nameof(IncidentClassification.Id), nameof(IncidentClassification.IncidentId),
            nameof(IncidentClassification.AnalysisId), nameof(IncidentClassification.IncidentType), nameof(IncidentClassification.Severity),
            nameof(IncidentClassification.ConfidenceScore), nameof(IncidentClassification.UserReviewed),
            nameof(IncidentClassification.UserModified), nameof(IncidentClassification.AiGenerated), nameof(IncidentClassification.AiModel),
            nameof(IncidentClassification.CreatedAt), nameof(IncidentClassification.UpdatedAt), nameof(IncidentClassification.ClassifiedBy));
        b.Classify(FreeText, nameof(IncidentClassification.SupportingEvidence), nameof(IncidentClassification.ReviewNotes));
    }
}

public sealed class EnhancedNarrativeConfiguration : IEntityTypeConfiguration<EnhancedNarrative>
{
    public void Configure(EntityTypeBuilder<EnhancedNarrative> b)
    {
        b.ToTable("enhanced_narratives");
        b.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId);
        b.Classify(Ordinary, nameof(EnhancedNarrative.Id), nameof(EnhancedNarrative.IncidentId), nameof(EnhancedNarrative.EnhancementVersion),
            nameof(EnhancedNarrative.AiModel), nameof(EnhancedNarrative.ProcessingTimeMs), nameof(EnhancedNarrative.QualityScore),
            nameof(EnhancedNarrative.UserEdited), nameof(EnhancedNarrative.CreatedAt), nameof(EnhancedNarrative.UpdatedAt));
        b.Classify(FreeText, nameof(EnhancedNarrative.OriginalContent), nameof(EnhancedNarrative.ClarificationResponses),
            nameof(EnhancedNarrative.EnhancedContent));
    }
}

public sealed class WorkflowHandoffConfiguration : IEntityTypeConfiguration<WorkflowHandoff>
{
    public void Configure(EntityTypeBuilder<WorkflowHandoff> b)
    {
        b.ToTable("workflow_handoffs");
        b.Property(x => x.FromWorkflow).HasMaxLength(100);
        b.Property(x => x.ToWorkflow).HasMaxLength(100);
        b.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.HandoffAcceptedBy);
        b.Classify(Ordinary, nameof(WorkflowHandoff.Id), nameof(WorkflowHandoff.IncidentId), nameof(WorkflowHandoff.FromWorkflow),
            nameof(WorkflowHandoff.ToWorkflow), nameof(WorkflowHandoff.TeamLeaderNotified), nameof(WorkflowHandoff.NotificationSentAt),
            nameof(WorkflowHandoff.HandoffAccepted), nameof(WorkflowHandoff.HandoffAcceptedBy), nameof(WorkflowHandoff.HandoffAcceptedAt),
            nameof(WorkflowHandoff.CreatedAt));
        b.Classify(FreeText, nameof(WorkflowHandoff.HandoffData));
        b.JsonTextColumns(nameof(WorkflowHandoff.HandoffData));
    }
}

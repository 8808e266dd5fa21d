namespace SupportSignal.Data.Entities;

public class Participant
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid? SiteId { get; set; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public DateOnly DateOfBirth { get; set; }
    public string? NdisNumber { get; set; }
    public string? ContactPhone { get; set; }
    public string? EmergencyContact { get; set; }
    public SupportLevel SupportLevel { get; set; }
    public string? CareNotes { get; set; }
    public ParticipantStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public Guid? UpdatedBy { get; set; }
}

public class Incident
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid? SiteId { get; set; }
    public Guid? ParticipantId { get; set; }
    public string ReporterName { get; set; } = "";
    public string ParticipantName { get; set; } = "";
    public DateTime EventDateTime { get; set; }
    public string? Location { get; set; }
    public CaptureStatus CaptureStatus { get; set; }
    public AnalysisStatus AnalysisStatus { get; set; }
    public OverallStatus OverallStatus { get; set; }
    public HandoffStatus? HandoffStatus { get; set; }
    public bool QuestionsGenerated { get; set; }
    public bool NarrativeEnhanced { get; set; }
    public bool AnalysisGenerated { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public Guid? UpdatedBy { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public Guid? SubmittedBy { get; set; }
}

public class IncidentNarrative
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public string? BeforeEvent { get; set; }
    public string? DuringEvent { get; set; }
    public string? EndEvent { get; set; }
    public string? PostEvent { get; set; }
    public string? BeforeEventExtra { get; set; }
    public string? DuringEventExtra { get; set; }
    public string? EndEventExtra { get; set; }
    public string? PostEventExtra { get; set; }
    public string? ConsolidatedNarrative { get; set; }
    public string? NarrativeHash { get; set; }
    public int Version { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public DateTime? EnhancedAt { get; set; }
}

public class ClarificationQuestion
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public string QuestionKey { get; set; } = "";
    public NarrativePhase Phase { get; set; }
    public string QuestionText { get; set; } = "";
    public int QuestionOrder { get; set; }
    public DateTime GeneratedAt { get; set; }
    public string? AiModel { get; set; }
    public string? PromptVersion { get; set; }
    public bool IsActive { get; set; }
}

public class ClarificationAnswer
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public Guid QuestionId { get; set; }
    public NarrativePhase Phase { get; set; }
    public string? AnswerText { get; set; }
    public DateTime AnsweredAt { get; set; }
    public Guid AnsweredBy { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public bool IsComplete { get; set; }
    public int CharacterCount { get; set; }
    public int WordCount { get; set; }
}

public class IncidentAnalysis
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public string? ContributingConditions { get; set; }
    public string? ConditionsOriginal { get; set; }
    public bool ConditionsEdited { get; set; }
    public DateTime AnalyzedAt { get; set; }
    public Guid? AnalyzedBy { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public string? AiModel { get; set; }
    public double? AiConfidence { get; set; }
    public int? AiProcessingTimeMs { get; set; }
    public IncidentAnalysisStatus AnalysisStatus { get; set; }
    public int RevisionCount { get; set; }
}

public class IncidentClassification
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public Guid AnalysisId { get; set; }
    public IncidentType IncidentType { get; set; }
    public string? SupportingEvidence { get; set; }
    public Severity Severity { get; set; }
    public double ConfidenceScore { get; set; }
    public bool UserReviewed { get; set; }
    public bool UserModified { get; set; }
    public string? ReviewNotes { get; set; }
    public bool AiGenerated { get; set; }
    public string? AiModel { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public Guid? ClassifiedBy { get; set; }
}

public class EnhancedNarrative
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public string? OriginalContent { get; set; }
    public string? ClarificationResponses { get; set; }
    public string? EnhancedContent { get; set; }
    public int EnhancementVersion { get; set; }
    public string? AiModel { get; set; }
    public int? ProcessingTimeMs { get; set; }
    public double? QualityScore { get; set; }
    public bool UserEdited { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
}

public class WorkflowHandoff
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public string FromWorkflow { get; set; } = "";
    public string ToWorkflow { get; set; } = "";
    public string? HandoffData { get; set; }
    public bool TeamLeaderNotified { get; set; }
    public DateTime? NotificationSentAt { get; set; }
    public bool HandoffAccepted { get; set; }
    public Guid? HandoffAcceptedBy { get; set; }
    public DateTime? HandoffAcceptedAt { get; set; }
    public DateTime CreatedAt { get; set; }
}

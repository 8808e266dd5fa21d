namespace SupportSignal.Data.Entities;

// Stored as snake_case text ("in_progress"), see EnumToSnakeCaseConverter.
public enum CompanyStatus { Active, Trial, Suspended }

public enum SiteStatus { Active, Inactive }

public enum AppRole { SystemAdmin, DemoAdmin, CompanyAdmin, TeamLead, FrontlineWorker }

public enum InvitationStatus { Pending, Accepted, Revoked, Expired }

public enum SupportLevel { High, Medium, Low }

public enum ParticipantStatus { Active, Inactive, Discharged }

public enum CaptureStatus { Draft, InProgress, Completed }

public enum AnalysisStatus { NotStarted, InProgress, Completed }

public enum OverallStatus { CapturePending, AnalysisPending, Completed }

public enum HandoffStatus { Draft, ReadyForAnalysis, InAnalysis, AnalysisComplete }

public enum NarrativePhase { BeforeEvent, DuringEvent, EndEvent, PostEvent }

public enum IncidentAnalysisStatus { Draft, AiGenerated, UserReviewed, Completed }

public enum IncidentType { Behavioural, Environmental, Medical, Communication, Other }

public enum Severity { Low, Medium, High }

public enum DebugSystem { Browser, Server, Worker, Manual }

public enum DebugLevel { Log, Info, Warn, Error }

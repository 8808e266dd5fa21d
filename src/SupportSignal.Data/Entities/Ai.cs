namespace SupportSignal.Data.Entities;

public class AiPrompt
{
    public Guid Id { get; set; }
    public string PromptName { get; set; } = "";
    public string PromptVersion { get; set; } = "";
    public string PromptTemplate { get; set; } = "";
    public string? Description { get; set; }
    public string? WorkflowStep { get; set; }
    public string? Subsystem { get; set; }
    public string? AiModel { get; set; }
    public int? MaxTokens { get; set; }
    public double? Temperature { get; set; }
    public bool IsActive { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid? CreatedBy { get; set; }
    public DateTime? ReplacedAt { get; set; }
    public int UsageCount { get; set; }
    public double? AverageResponseTimeMs { get; set; }
    public double? SuccessRate { get; set; }
}

public class AiRequestLog
{
    public Guid Id { get; set; }
    public string CorrelationId { get; set; } = "";
    public string Operation { get; set; } = "";
    public string Model { get; set; } = "";
    public string? PromptName { get; set; }
    public string? InputData { get; set; }
    public string? OutputData { get; set; }
    public int? ProcessingTimeMs { get; set; }
    public int? TokensUsed { get; set; }
    public decimal? CostUsd { get; set; }
    public bool Success { get; set; }
    public string? ErrorMessage { get; set; }
    public Guid? UserId { get; set; }
    public Guid? IncidentId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public class DebugLog
{
    public Guid Id { get; set; }
    public string? TraceId { get; set; }
    public Guid? UserId { get; set; }
    public DebugSystem System { get; set; }
    public DebugLevel Level { get; set; }
    public string Message { get; set; } = "";
    public string? Stack { get; set; }
    public string? Context { get; set; }
    public DateTime Timestamp { get; set; }
}

// The ASP.NET Data Protection key ring, kept in the database so that several app
// instances share sign-ins. Our own record (not the package's) so the key is a GUID
// like every other table's.
public class DataProtectionKeyRecord
{
    public Guid Id { get; set; }
    public string? FriendlyName { get; set; }
    public string Xml { get; set; } = "";
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using SupportSignal.Data.Classification;
using SupportSignal.Data.Entities;

using static SupportSignal.Data.Classification.DataClass;

namespace SupportSignal.Data.Configuration;

public sealed class AiPromptConfiguration : IEntityTypeConfiguration<AiPrompt>
{
    public void Configure(EntityTypeBuilder<AiPrompt> b)
    {
        b.ToTable("ai_prompts");
        b.Property(x => x.PromptName).HasMaxLength(100);
        b.Property(x => x.PromptVersion).HasMaxLength(20);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.CreatedBy);
        b.HasIndex(x => new { x.PromptName, x.PromptVersion }).IsUnique();
        b.Classify(Ordinary, nameof(AiPrompt.Id), nameof(AiPrompt.PromptName), nameof(AiPrompt.PromptVersion), nameof(AiPrompt.PromptTemplate),
            nameof(AiPrompt.Description), nameof(AiPrompt.WorkflowStep), nameof(AiPrompt.Subsystem), nameof(AiPrompt.AiModel),
            nameof(AiPrompt.MaxTokens), nameof(AiPrompt.Temperature), nameof(AiPrompt.IsActive), nameof(AiPrompt.CreatedAt),
            nameof(AiPrompt.CreatedBy), nameof(AiPrompt.ReplacedAt), nameof(AiPrompt.UsageCount), nameof(AiPrompt.AverageResponseTimeMs),
            nameof(AiPrompt.SuccessRate));
    }
}

public sealed class AiRequestLogConfiguration : IEntityTypeConfiguration<AiRequestLog>
{
    public void Configure(EntityTypeBuilder<AiRequestLog> b)
    {
        b.ToTable("ai_request_logs");
        b.Property(x => x.CorrelationId).HasMaxLength(64);
        b.Property(x => x.Operation).HasMaxLength(100);
        b.Property(x => x.Model).HasMaxLength(100);
        b.Property(x => x.CostUsd).HasPrecision(18, 6);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.UserId);
        b.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId);
        b.HasIndex(x => x.CreatedAt);
        b.HasIndex(x => x.CorrelationId);
        b.Classify(Ordinary, nameof(AiRequestLog.Id), nameof(AiRequestLog.CorrelationId), nameof(AiRequestLog.Operation),
            nameof(AiRequestLog.Model), nameof(AiRequestLog.PromptName), nameof(AiRequestLog.ProcessingTimeMs), nameof(AiRequestLog.TokensUsed),
            nameof(AiRequestLog.CostUsd), nameof(AiRequestLog.Success), nameof(AiRequestLog.UserId),
            nameof(AiRequestLog.IncidentId), nameof(AiRequestLog.CreatedAt));
        // An error message can quote the prompt it failed on, names included.
        b.Classify(FreeText, nameof(AiRequestLog.InputData), nameof(AiRequestLog.OutputData), nameof(AiRequestLog.ErrorMessage));
        b.JsonTextColumns(nameof(AiRequestLog.InputData), nameof(AiRequestLog.OutputData));
    }
}

public sealed class DebugLogConfiguration : IEntityTypeConfiguration<DebugLog>
{
    public void Configure(EntityTypeBuilder<DebugLog> b)
    {
        b.ToTable("debug_logs").HasTableRole(TableRole.OptInLog);
        b.Property(x => x.TraceId).HasMaxLength(64);
        b.HasIndex(x => x.Timestamp);
        b.Classify(Ordinary, nameof(DebugLog.Id), nameof(DebugLog.TraceId), nameof(DebugLog.UserId), nameof(DebugLog.System),
            nameof(DebugLog.Level), nameof(DebugLog.Timestamp));
        // A stack trace can carry the arguments and messages of the frames it passed through.
        b.Classify(FreeText, nameof(DebugLog.Message), nameof(DebugLog.Stack), nameof(DebugLog.Context));
        b.JsonTextColumns(nameof(DebugLog.Context));
    }
}

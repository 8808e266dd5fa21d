using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using SupportSignal.Data.Classification;
using SupportSignal.Data.Entities;

using static SupportSignal.Data.Classification.DataClass;

namespace SupportSignal.Data.Configuration;

public sealed class ExportAuditConfiguration : IEntityTypeConfiguration<ExportAudit>
{
    public void Configure(EntityTypeBuilder<ExportAudit> b)
    {
        b.ToTable("export_audit");
        b.Property(x => x.Format).HasMaxLength(20);
        b.Property(x => x.CorrelationId).HasMaxLength(64);
        b.Property(x => x.ErrorCode).HasMaxLength(100);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.UserId);
        b.HasIndex(x => x.StartedAt);
        b.JsonTextColumns(nameof(ExportAudit.Filters), nameof(ExportAudit.RecordCounts));
        // Ids, counts and codes only: the trail says who exported what, never what the rows held.
        b.Classify(Ordinary, nameof(ExportAudit.Id), nameof(ExportAudit.UserId), nameof(ExportAudit.Source), nameof(ExportAudit.StartedAt),
            nameof(ExportAudit.FinishedAt), nameof(ExportAudit.Outcome), nameof(ExportAudit.Format), nameof(ExportAudit.Filters),
            nameof(ExportAudit.Deidentified), nameof(ExportAudit.RecordCounts), nameof(ExportAudit.TotalRecords), nameof(ExportAudit.Bytes),
            nameof(ExportAudit.DurationMs), nameof(ExportAudit.CorrelationId), nameof(ExportAudit.ErrorCode));
    }
}

using SupportSignal.Export.Reading;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export;

/// <summary>
/// Estimates an export's size in every format from a sample: the first rows of each table go
/// through the real writer (and compressors), and each table's share is scaled by its count.
/// </summary>
internal static class SizeEstimator
{
    private const int SampleRows = 200;

    public static async Task<IReadOnlyDictionary<ExportFormat, long>> EstimateAsync(
        Snapshot snapshot, DocumentMetadata metadata, IReadOnlyList<TablePlan> plans, CancellationToken cancellationToken)
    {
        var samples = Sample(plans, snapshot.Dialect);
        var sampleRows = new Dictionary<string, long>(StringComparer.Ordinal);
        var json = new CountingStream(Stream.Null);
        long scaled = 0;
        // The sample under the real metadata; each table's rows beyond the sample scale its bytes without its framing.
        await ExportWriter.WriteAsync(ExportFormat.Json, snapshot, json, metadata, samples, cancellationToken, tableWritten: (plan, rows, bytes) =>
        {
            sampleRows[plan.Table.Name] = rows;
            var count = metadata.Counts[plan.Table.Name];
            scaled += rows == 0 ? 0 : (bytes - TableFraming(plan)) * (count - rows) / rows;
        });
        var estimate = json.BytesWritten + scaled;

        // Compressed size scales with how well the sample itself compresses in that format.
        var estimates = new Dictionary<ExportFormat, long> { [ExportFormat.Json] = estimate };
        // Parquet's fixed cost per file (schema, footer) is small beside a real table's row groups, so it scales the same way.
        foreach (var format in new[] { ExportFormat.JsonGz, ExportFormat.Zip, ExportFormat.Parquet })
        {
            var compressed = new CountingStream(Stream.Null);
            await ExportWriter.WriteAsync(format, snapshot, compressed, metadata with { Counts = sampleRows }, samples, cancellationToken);
            estimates[format] = (long)(estimate * ((double)compressed.BytesWritten / Math.Max(1, json.BytesWritten)));
        }

        return estimates;
    }

    /// <summary>The plans reading only the rows the estimate samples.</summary>
    public static List<TablePlan> Sample(IEnumerable<TablePlan> plans, SqlDialect dialect) => plans.Select(p => p.FirstRows(SampleRows, dialect)).ToList();

    // `"name":[` and `]`, which a table has once whatever its row count.
    private static long TableFraming(TablePlan plan) => plan.Table.Name.Length + 5;
}

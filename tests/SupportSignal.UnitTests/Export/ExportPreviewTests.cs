using System.Data.Common;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

using SupportSignal.Data;
using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

public sealed class ExportPreviewTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private TestDatabase Database => seeded.Database;

    [Fact]
    public async Task One_preview_of_the_full_export_and_a_segment_reads_one_snapshot_and_estimates_every_format()
    {
        var opened = new OpenCounter();
        var builder = new DbContextOptionsBuilder<SqliteSupportSignalDbContext>();
        Database.Settings.Apply(builder);
        builder.AddInterceptors(opened);
        await using var db = new SqliteSupportSignalDbContext(builder.Options);
        var company = await db.Companies.OrderBy(c => c.Name).Select(c => c.Id).FirstAsync(TestContext.Current.CancellationToken);
        var service = new ExportService(db, TestClock.Create());
        var segment = new ExportRequest { Companies = [company] };
        var before = opened.Count;

        var previews = await service.PreviewAsync([new ExportRequest(), segment], TestContext.Current.CancellationToken);

        Assert.Equal(1, opened.Count - before);
        var (full, part) = (previews[0], previews[1]);
        Assert.Equal(Enum.GetValues<ExportFormat>().Order(), full.EstimatedBytesByFormat.Keys.Order());
        Assert.True(part.TotalRecords > 0 && part.TotalRecords < full.TotalRecords, $"{part.TotalRecords} of {full.TotalRecords}");
        // Compressed files are smaller than the document they hold; each estimate is what that request alone would say.
        Assert.True(full.EstimatedBytesByFormat[ExportFormat.JsonGz] < full.EstimatedBytes / 3);
        foreach (var format in Enum.GetValues<ExportFormat>())
        {
            var alone = await service.PreviewAsync(new ExportRequest { Format = format }, TestContext.Current.CancellationToken);
            Assert.Equal(alone.EstimatedBytes, full.EstimatedBytesByFormat[format]);
            Assert.Equal(alone.RecordCounts, full.RecordCounts);
        }

        Assert.Equal((await service.PreviewAsync(segment, TestContext.Current.CancellationToken)).RecordCounts, part.RecordCounts);
    }

    [Fact]
    public async Task Two_segments_cannot_share_one_preview()
    {
        await using var db = Database.NewContext();
        var service = new ExportService(db, TestClock.Create());
        var segment = new ExportRequest { From = new DateOnly(2024, 1, 1) };

        await Assert.ThrowsAsync<ArgumentException>(() => service.PreviewAsync([segment, segment with { To = new DateOnly(2024, 6, 30) }], TestContext.Current.CancellationToken));
    }

    private sealed class OpenCounter : DbConnectionInterceptor
    {
        private int _count;

        public int Count => _count;

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(
            DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.FromResult(result);
        }
    }
}

using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

using SupportSignal.Data.Entities;
using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

public sealed class ExportAuditTrailTests
{
    [Fact]
    public async Task An_attempt_is_recorded_when_it_starts_and_completed_when_it_ends_with_one_log_event()
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small);
        var log = new CapturingLogger();
        var trail = new ExportAuditTrail(database.NewContext, log);
        await using var db = database.NewContext();
        var admin = await db.Users.OrderBy(u => u.Id).Select(u => u.Id).FirstAsync(TestContext.Current.CancellationToken);
        var company = await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync(TestContext.Current.CancellationToken);
        var request = new ExportRequest { Companies = [company], Tables = [" Incidents", "sites"], Format = ExportFormat.Zip, Deidentify = true };

        var id = await trail.StartAsync(new ExportAttempt(admin, ExportSource.Web, request, "corr-1"), TestContext.Current.CancellationToken);
        var started = await db.ExportAudits.AsNoTracking().SingleAsync(a => a.Id == id, TestContext.Current.CancellationToken);
        Assert.Equal(ExportOutcome.Started, started.Outcome);
        Assert.Null(started.FinishedAt);
        Assert.Empty(log.Lines);

        using var output = new MemoryStream();
        await using (var exportDb = database.NewContext())
        {
            var summary = await new ExportService(exportDb).ExportAsync(request, output, TestContext.Current.CancellationToken);
            await trail.FinishAsync(id, ExportOutcome.Succeeded, summary);
        }

        var finished = await db.ExportAudits.AsNoTracking().SingleAsync(a => a.Id == id, TestContext.Current.CancellationToken);
        Assert.Equal(ExportOutcome.Succeeded, finished.Outcome);
        Assert.Equal(output.Length, finished.Bytes);
        Assert.Equal("zip", finished.Format);
        Assert.True(finished.Deidentified);
        Assert.Equal($$"""{"companies":["{{company}}"],"tables":["incidents","sites"],"closure":true}""", finished.Filters);
        Assert.Equal(finished.TotalRecords, JsonDocument.Parse(finished.RecordCounts!).RootElement.EnumerateObject().Sum(p => p.Value.GetInt64()));

        var line = Assert.Single(log.Lines);
        Assert.Contains("Succeeded", line);
        Assert.Contains("corr-1", line);
        Assert.Contains(admin.ToString(), line);
        var names = await db.Participants.Select(p => p.LastName).ToListAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(names, line.Contains);
    }

    [Fact]
    public async Task Rejections_are_recorded_and_an_attempt_that_never_finished_stays_visible_most_recent_first()
    {
        await using var database = await TestDatabase.CreateAsync();
        var trail = new ExportAuditTrail(database.NewContext);
        var crashed = await trail.StartAsync(new ExportAttempt(null, ExportSource.Cli, new ExportRequest(), "a"), TestContext.Current.CancellationToken);
        await trail.RejectAsync(new ExportAttempt(null, ExportSource.Web, new ExportRequest(), "b"), "busy");
        for (var i = 0; i < 5; i++)
        {
            var id = await trail.StartAsync(new ExportAttempt(null, ExportSource.Cli, new ExportRequest(), $"c{i}"), TestContext.Current.CancellationToken);
            await trail.FinishAsync(id, i % 2 == 0 ? ExportOutcome.Cancelled : ExportOutcome.Failed, errorCode: "exception:IOException");
        }

        var (first, total) = await trail.PageAsync(1, 4, TestContext.Current.CancellationToken);
        var (second, _) = await trail.PageAsync(2, 4, TestContext.Current.CancellationToken);
        Assert.Equal(7, total);
        Assert.Equal(["c4", "c3", "c2", "c1"], first.Select(r => r.CorrelationId));
        Assert.Equal(["c0", "b", "a"], second.Select(r => r.CorrelationId));
        Assert.Equal(ExportOutcome.Rejected, second[1].Outcome);
        Assert.Equal("busy", second[1].ErrorCode);
        Assert.Equal(crashed, second[2].Id);
        Assert.Equal(ExportOutcome.Started, second[2].Outcome);
        Assert.Null(second[2].FinishedAt);
    }

    [Fact]
    public async Task A_row_records_by_the_clock_when_it_started_and_ended_and_how_long_it_took()
    {
        await using var database = await TestDatabase.CreateAsync();
        var clock = TestClock.Create();
        var trail = new ExportAuditTrail(database.NewContext, time: clock);

        var id = await trail.StartAsync(new ExportAttempt(null, ExportSource.Cli, new ExportRequest(), "slow"), TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromMilliseconds(2_500));
        await trail.FinishAsync(id, ExportOutcome.Cancelled, errorCode: "cancelled");
        clock.Advance(TimeSpan.FromMinutes(1));
        await trail.RejectAsync(new ExportAttempt(null, ExportSource.Web, new ExportRequest(), "refused"), "busy");

        await using var db = database.NewContext();
        var rows = await db.ExportAudits.AsNoTracking().ToDictionaryAsync(a => a.CorrelationId, TestContext.Current.CancellationToken);
        Assert.Equal(TestClock.Now.UtcDateTime, rows["slow"].StartedAt);
        Assert.Equal(TestClock.Now.UtcDateTime.AddMilliseconds(2_500), rows["slow"].FinishedAt);
        Assert.Equal(2_500, rows["slow"].DurationMs);
        // A refusal takes no time: it ends when it starts.
        Assert.Equal(TestClock.Now.UtcDateTime.AddMilliseconds(62_500), rows["refused"].StartedAt);
        Assert.Equal(rows["refused"].StartedAt, rows["refused"].FinishedAt);
        Assert.Equal(0, rows["refused"].DurationMs);
    }

    private sealed class CapturingLogger : ILogger<ExportAuditTrail>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}

using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

using SupportSignal.Data;
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

    // Over contexts (the web app) and over plain connections of the settings (the CLI, which loads no EF Core).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_trail_stores_a_row_exactly_as_ef_core_stores_the_same_row_started_and_finished(bool plainConnections)
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small);
        var clock = TestClock.Create();
        clock.Advance(TimeSpan.FromTicks(1_234_567));
        var trail = plainConnections ? new ExportAuditTrail(database.Settings, time: clock) : new ExportAuditTrail(database.NewContext, time: clock);
        await using var db = database.NewContext();
        var admin = await db.Users.OrderBy(u => u.Id).Select(u => u.Id).FirstAsync(TestContext.Current.CancellationToken);
        var request = new ExportRequest { Tables = ["sites", "incidents"], Format = ExportFormat.JsonGz, Deidentify = true };

        var id = await trail.StartAsync(new ExportAttempt(admin, ExportSource.Clipboard, request, "plain-" + new string('x', 70)), TestContext.Current.CancellationToken);
        AssertStoredAsEfCoreStoresIt(database, db, id);

        clock.Advance(TimeSpan.FromTicks(98_765_432));
        var summary = new ExportSummary(new Dictionary<string, long> { ["sites"] = 40, ["incidents"] = 600 }, 640, 1_234_567, TimeSpan.FromMilliseconds(2_345.6));
        await trail.FinishAsync(id, ExportOutcome.Failed, summary, "output_not_writable");
        AssertStoredAsEfCoreStoresIt(database, db, id);
        Assert.Equal(["{\"sites\":40,\"incidents\":600}"], database.Strings($"SELECT record_counts FROM export_audit WHERE id = '{id.ToString().ToUpperInvariant()}'"));
    }

    // Reads the row back through EF Core, writes the same values as a new row through EF Core's change
    // tracker, and compares every column's stored type and value (the id: upper-case text, as EF Core keeps a GUID).
    private static void AssertStoredAsEfCoreStoresIt(TestDatabase database, SupportSignalDbContext db, Guid id)
    {
        db.ChangeTracker.Clear();
        var row = db.ExportAudits.AsNoTracking().Single(a => a.Id == id);
        var copy = new ExportAudit
        {
            Id = Guid.CreateVersion7(),
            UserId = row.UserId,
            Source = row.Source,
            StartedAt = row.StartedAt,
            FinishedAt = row.FinishedAt,
            Outcome = row.Outcome,
            Format = row.Format,
            Filters = row.Filters,
            Deidentified = row.Deidentified,
            RecordCounts = row.RecordCounts,
            TotalRecords = row.TotalRecords,
            Bytes = row.Bytes,
            DurationMs = row.DurationMs,
            CorrelationId = row.CorrelationId,
            ErrorCode = row.ErrorCode,
        };
        db.ExportAudits.Add(copy);
        db.SaveChanges();

        var columns = database.Strings("SELECT name FROM pragma_table_info('export_audit') ORDER BY cid");
        Assert.Equal(15, columns.Count);
        List<string> Stored(Guid key) => [.. columns.Select(c => database.Strings(
            $"SELECT typeof({c}) || ':' || {(c == "id" ? "(id = upper(id))" : $"quote({c})")} FROM export_audit WHERE id = '{key.ToString().ToUpperInvariant()}'").Single())];
        Assert.Equal(Stored(copy.Id), Stored(id));
        db.ExportAudits.Remove(copy);
        db.SaveChanges();
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

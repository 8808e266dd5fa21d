using System.Text;
using System.Text.Json;

using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

public sealed class ExportConsistencyTests
{
    [Fact]
    public async Task Rows_are_in_primary_key_order_and_a_repeat_export_is_byte_identical()
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small);
        var first = await ExportRunner.BytesAsync(database);
        var second = await ExportRunner.BytesAsync(database);
        Assert.True(first.AsSpan().SequenceEqual(second));

        using var document = JsonDocument.Parse(first);
        foreach (var table in new[] { "incidents", "clarification_answers", "ai_request_logs", "companies" })
        {
            var exported = document.RootElement.GetProperty("data").GetProperty(table).EnumerateArray()
                .Select(r => r.GetProperty("id").GetString()!).ToList();
            var inDatabase = database.Strings($"SELECT lower(id) FROM {table} ORDER BY id");
            Assert.Equal(inDatabase, exported);
        }
    }

    [Fact]
    public async Task An_export_taken_while_another_connection_writes_is_one_consistent_snapshot()
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small);
        var incidentsBefore = database.Scalar("SELECT COUNT(*) FROM incidents");

        // The export pauses after its first flush (counts taken, rows under way) while a writer
        // adds incidents with children and deletes answers; then it carries on.
        var gate = new PausingStream();
        var export = Task.Run(async () =>
        {
            await using var db = database.NewContext();
            return await new ExportService(db, TestClock.Create()).ExportAsync(new ExportRequest(), gate);
        });
        Assert.True(await gate.Paused.WaitAsync(Poll.DefaultTimeout, TestContext.Current.CancellationToken), "the export never paused after its first flush");
        Assert.False(export.IsCompleted, "the export should be held mid-way while the writer runs");
        for (var i = 0; i < 25; i++)
        {
            var id = Guid.CreateVersion7().ToString().ToUpperInvariant();
            database.Execute(
                """
                INSERT INTO incidents (id, company_id, site_id, participant_id, reporter_name, participant_name, event_date_time, location,
                    capture_status, analysis_status, overall_status, handoff_status, questions_generated, narrative_enhanced,
                    analysis_generated, created_at, created_by)
                SELECT $id, company_id, site_id, participant_id, reporter_name, participant_name, event_date_time, location, capture_status,
                    analysis_status, overall_status, handoff_status, 0, 0, 0, created_at, created_by FROM incidents ORDER BY id LIMIT 1;
                INSERT INTO incident_narratives (id, incident_id, before_event, version, created_at)
                VALUES ($nid, $id, 'written during the export', 1, '2026-11-26 09:00:00');
                DELETE FROM clarification_answers WHERE id = (SELECT id FROM clarification_answers ORDER BY id DESC LIMIT 1);
                """,
                ("$id", id), ("$nid", Guid.CreateVersion7().ToString().ToUpperInvariant()));
        }

        gate.Release();
        var summary = await export;
        Assert.Equal(incidentsBefore + 25, database.Scalar("SELECT COUNT(*) FROM incidents"));

        using var document = JsonDocument.Parse(gate.Written.ToArray());
        var data = document.RootElement.GetProperty("data");
        Assert.Equal(incidentsBefore, data.GetProperty("incidents").GetArrayLength());
        Assert.Equal(incidentsBefore, summary.RecordCounts["incidents"]);
        foreach (var table in data.EnumerateObject())
        {
            Assert.Equal(document.RootElement.GetProperty("metadata").GetProperty("recordCounts").GetProperty(table.Name).GetInt64(), table.Value.GetArrayLength());
        }

        AssertEveryForeignKeyResolves(document);
    }

    [Fact]
    public async Task Cancelling_stops_the_export_promptly_and_leaves_the_context_usable()
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small with { Incidents = 1_500 });
        await using var db = database.NewContext();
        var service = new ExportService(db, TestClock.Create());
        using var cancellation = new CancellationTokenSource();
        var gate = new PausingStream();
        var export = service.ExportAsync(new ExportRequest(), gate, cancellation.Token);
        Assert.True(await gate.Paused.WaitAsync(Poll.DefaultTimeout, TestContext.Current.CancellationToken), "the export never paused after its first flush");

        cancellation.Cancel();
        gate.Release();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => export.WaitAsync(Poll.DefaultTimeout, TestContext.Current.CancellationToken));
        // Promptly means by work done, not by a stopwatch: at most one more flush once cancelled, far from the whole file.
        Assert.True(gate.WritesAfterRelease <= 1, $"the export flushed {gate.WritesAfterRelease} more times after it was cancelled");
        Assert.True(gate.Written.Length < new FileInfo(database.Path).Length, "the export should have stopped part-way");

        // The same context exports again, and the database is not left locked for writers.
        using var output = new MemoryStream();
        var summary = await service.ExportAsync(new ExportRequest(), output);
        Assert.Equal(database.Scalar("SELECT COUNT(*) FROM incidents"), summary.RecordCounts["incidents"]);
        database.Execute("UPDATE companies SET name = name || ' (renamed)'");
    }

    [Fact]
    public async Task A_database_with_a_missing_migration_is_refused_before_any_byte_with_a_message_saying_what_to_do()
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small);
        database.Execute("DELETE FROM __ef_migrations_history WHERE \"MigrationId\" = (SELECT max(\"MigrationId\") FROM __ef_migrations_history)");
        await using var db = database.NewContext();
        using var output = new MemoryStream();
        var error = await Assert.ThrowsAsync<ExportSchemaException>(() => new ExportService(db).ExportAsync(new ExportRequest(), output));
        Assert.Contains("supportsignal migrate", error.Message);
        Assert.Equal(0, output.Length);
    }

    internal static void AssertEveryForeignKeyResolves(JsonDocument document, int atLeast = 101)
    {
        var data = document.RootElement.GetProperty("data");
        var ids = data.EnumerateObject().ToDictionary(
            t => t.Name,
            t => t.Value.EnumerateArray().Where(r => r.TryGetProperty("id", out _)).Select(r => r.GetProperty("id").ToString()).ToHashSet());
        var checkedValues = 0;
        foreach (var table in document.RootElement.GetProperty("metadata").GetProperty("tables").EnumerateArray())
        {
            var name = table.GetProperty("name").GetString()!;
            foreach (var fk in table.GetProperty("foreignKeys").EnumerateArray())
            {
                var parent = fk.GetProperty("references").GetProperty("table").GetString()!;
                var column = fk.GetProperty("columns")[0].GetString()!;
                if (fk.GetProperty("columns").GetArrayLength() != 1 || !ids.TryGetValue(parent, out var parentIds))
                {
                    continue;
                }

                foreach (var row in data.GetProperty(name).EnumerateArray())
                {
                    var value = row.GetProperty(column);
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        Assert.True(parentIds.Contains(value.ToString()), $"{name}.{column} = {value} has no row in {parent}");
                        checkedValues++;
                    }
                }
            }
        }

        Assert.True(checkedValues >= atLeast, $"only {checkedValues} foreign key values checked");
    }
}

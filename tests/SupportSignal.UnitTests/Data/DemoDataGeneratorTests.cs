using Microsoft.EntityFrameworkCore;

using SupportSignal.DemoData;
using SupportSignal.UnitTests.Export;

namespace SupportSignal.UnitTests.Data;

public sealed class DemoDataGeneratorTests
{
    [Fact]
    public async Task The_same_seed_gives_the_same_data_and_another_seed_does_not()
    {
        await using var first = await TestDatabase.CreateAsync(DemoSets.Small);
        await using var second = await TestDatabase.CreateAsync(DemoSets.Small);
        await using var other = await TestDatabase.CreateAsync(DemoSets.Small with { RandomSeed = 99 });

        // Exports leave out only secrets (whose salts are random by design); every other column is compared.
        var a = await ExportRunner.BytesAsync(first);
        var b = await ExportRunner.BytesAsync(second);
        var c = await ExportRunner.BytesAsync(other);
        Assert.True(a.AsSpan().SequenceEqual(b), "same seed, different data");
        Assert.False(a.AsSpan().SequenceEqual(c), "different seed, same data");
    }

    [Fact]
    public async Task It_produces_what_was_asked_and_fills_every_application_table()
    {
        var options = new DemoDataOptions { Companies = 4, SitesPerCompany = 3, Users = 20, Participants = 30, Incidents = 200, RandomSeed = 7 };
        await using var database = await TestDatabase.CreateAsync();
        DemoDataSummary summary;
        var reported = new List<SeedProgress>();
        await using (var db = database.NewContext())
        {
            summary = await DemoDataGenerator.SeedAsync(db, options, new Progress(reported));
        }

        Assert.Equal(4, database.Scalar("SELECT COUNT(*) FROM companies"));
        Assert.Equal(12, database.Scalar("SELECT COUNT(*) FROM sites"));
        Assert.Equal(20, database.Scalar("SELECT COUNT(*) FROM users"));
        Assert.Equal(30, database.Scalar("SELECT COUNT(*) FROM participants"));
        Assert.Equal(200, database.Scalar("SELECT COUNT(*) FROM incidents"));
        Assert.Equal(5, database.Scalar("SELECT COUNT(DISTINCT role) FROM users"));
        Assert.Equal(200, database.Scalar("SELECT COUNT(*) FROM incident_narratives"));
        Assert.Equal(summary["clarification_answers"], database.Scalar("SELECT COUNT(*) FROM clarification_answers"));
        Assert.Contains(reported, p => p.Table == "incidents" && p.RowsWritten == 200);

        // Every table the application writes has rows; the key ring and the export audit trail are
        // written by the running app, not by the demo data.
        foreach (var table in database.Strings("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\'"))
        {
            var rows = database.Scalar($"SELECT COUNT(*) FROM \"{table}\"");
            Assert.True(table is "data_protection_keys" or "export_audit" || rows > 0, $"{table} is empty");
        }

        // Realistic content: four-phase narratives naming the participant, JSON logs, real password hashes.
        Assert.Equal(0, database.Scalar(
            "SELECT COUNT(*) FROM incidents i JOIN incident_narratives n ON n.incident_id = i.id " +
            "WHERE i.capture_status = 'completed' AND (n.before_event IS NULL OR n.during_event IS NULL OR n.end_event IS NULL OR n.post_event IS NULL)"));
        Assert.True(database.Scalar(
            "SELECT COUNT(*) FROM incidents i JOIN participants p ON p.id = i.participant_id JOIN incident_narratives n ON n.incident_id = i.id " +
            "WHERE instr(n.before_event || n.during_event || n.end_event || n.post_event, p.first_name) > 0") > 100);
        Assert.Equal(0, database.Scalar("SELECT COUNT(*) FROM ai_request_logs WHERE json_valid(input_data) = 0"));
        Assert.Equal(20, database.Scalar("SELECT COUNT(*) FROM users WHERE password_hash LIKE 'AQAAAA%'"));

        await using var check = database.NewContext();
        var user = await check.Users.OrderBy(u => u.Email).FirstAsync();
        var verdict = new Microsoft.AspNetCore.Identity.PasswordHasher<SupportSignal.Data.Entities.User>()
            .VerifyHashedPassword(user, user.PasswordHash!, new DemoDataOptions().UserPassword);
        Assert.Equal(Microsoft.AspNetCore.Identity.PasswordVerificationResult.Success, verdict);
    }

    [Fact]
    public async Task It_refuses_to_seed_a_database_that_already_has_data()
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small);
        var before = database.Scalar("SELECT COUNT(*) FROM incidents");
        await using var db = database.NewContext();
        var error = await Assert.ThrowsAsync<DemoDataException>(() => DemoDataGenerator.SeedAsync(db, DemoSets.Small));
        Assert.Contains("empty database", error.Message);
        Assert.Equal(before, database.Scalar("SELECT COUNT(*) FROM incidents"));
    }

    private sealed class Progress(List<SeedProgress> reported) : IProgress<SeedProgress>
    {
        public void Report(SeedProgress value) => reported.Add(value);
    }
}

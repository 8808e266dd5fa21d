using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.DemoData;
using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

/// <summary>
/// Every company and every site of the demo data (the set Development seeds), exported as a segment:
/// rows of other tenants that closure brings in are stubs with no personal or free-text value, every
/// foreign key resolves, and the selected tenant's rows are all there, whole.
/// </summary>
public sealed class SegmentPrivacyTests(SegmentPrivacyTests.DemoDatabase demo) : IClassFixture<SegmentPrivacyTests.DemoDatabase>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_company_segment_stubs_other_tenants_resolves_every_key_and_holds_the_whole_company()
    {
        await using var db = demo.Database.NewContext();
        var companies = await db.Companies.Select(c => c.Id).ToListAsync(Cancel);
        Assert.Equal(new DemoDataOptions().Companies, companies.Count);
        var stubs = 0L;
        foreach (var company in companies)
        {
            using var document = await ExportRunner.DocumentAsync(demo.Database, new ExportRequest { Companies = [company] });
            stubs += AssertTenant(document, await CompanyRowsAsync(db, company), $"company {company}");
        }

        // The demo data has cross-tenant references (invitations sent by other providers' staff): stubs are really made.
        Assert.True(stubs > 0, "no company segment needed a stub");
    }

    [Fact]
    public async Task Every_site_segment_stubs_other_tenants_resolves_every_key_and_holds_the_whole_site()
    {
        await using var db = demo.Database.NewContext();
        var sites = await db.Sites.Select(s => s.Id).ToListAsync(Cancel);
        Assert.Equal(new DemoDataOptions().Companies * new DemoDataOptions().SitesPerCompany, sites.Count);
        foreach (var site in sites)
        {
            using var document = await ExportRunner.DocumentAsync(demo.Database, new ExportRequest { Sites = [site] });
            AssertTenant(document, await SiteRowsAsync(db, site), $"site {site}");
        }
    }

    [Fact]
    public async Task A_de_identified_company_segment_gives_stubs_pseudonyms_not_names()
    {
        await using var db = demo.Database.NewContext();
        var company = await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync(Cancel);
        var own = await CompanyRowsAsync(db, company);
        using var document = await ExportRunner.DocumentAsync(demo.Database, new ExportRequest { Companies = [company], Deidentify = true });

        var stubUsers = Rows(document, "users").Where(u => !own["users"].Contains(u.GetProperty("id").GetString()!)).ToList();
        Assert.NotEmpty(stubUsers);
        Assert.All(stubUsers, u =>
        {
            Assert.Matches("^User [0-9A-F]{6}$", u.GetProperty("name").GetString());
            Assert.Matches("^user-[0-9a-f]{6}@example\\.invalid$", u.GetProperty("email").GetString());
        });
        Assert.Equal(stubUsers.Count, Segment(document).GetProperty("stubRows").GetProperty("users").GetInt64());
    }

    [Fact]
    public async Task Export_history_is_left_out_of_a_segment_unless_named_and_the_metadata_says_which()
    {
        await using var db = demo.Database.NewContext();
        var company = await db.Companies.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync(Cancel);

        using var plain = await ExportRunner.DocumentAsync(demo.Database, new ExportRequest { Companies = [company] });
        Assert.False(plain.RootElement.GetProperty("data").TryGetProperty("export_audit", out _));
        var excluded = plain.RootElement.GetProperty("metadata").GetProperty("sanitization").GetProperty("excludedTables").EnumerateArray()
            .ToDictionary(e => e.GetProperty("table").GetString()!, e => e.GetProperty("reason").GetString()!);
        Assert.Contains("operational history that spans tenants", excluded["export_audit"]);
        Assert.Contains("asked for by name", excluded["debug_logs"]);
        Assert.Empty(Segment(plain).GetProperty("historyTables").EnumerateArray());

        using var named = await ExportRunner.DocumentAsync(demo.Database, new ExportRequest { Companies = [company], Tables = ["debug_logs", "incidents"] });
        Assert.Equal(await db.DebugLogs.CountAsync(Cancel), named.RootElement.GetProperty("data").GetProperty("debug_logs").GetArrayLength());
        Assert.Equal(["debug_logs"], Segment(named).GetProperty("historyTables").EnumerateArray().Select(t => t.GetString()));
    }

    // Returns the number of stubs; asserts what a reader of the segment relies on.
    private static long AssertTenant(JsonDocument document, Dictionary<string, HashSet<string>> own, string tenant)
    {
        // A small site's segment has few keys; every one of them must resolve.
        ExportConsistencyTests.AssertEveryForeignKeyResolves(document, atLeast: 1);
        var metadata = document.RootElement.GetProperty("metadata");
        var stubRows = Segment(document).GetProperty("stubRows");
        long stubs = 0;
        foreach (var table in metadata.GetProperty("tables").EnumerateArray())
        {
            var name = table.GetProperty("name").GetString()!;
            var people = table.GetProperty("columns").EnumerateArray()
                .Where(c => c.GetProperty("classification").GetString() is "personal" or "free_text")
                .Select(c => c.GetProperty("name").GetString()!)
                .ToList();
            if (!own.TryGetValue(name, out var ids))
            {
                // A table this test does not know may hold no one: one with people in it must be added above.
                Assert.True(people.Count == 0, $"{tenant}: {name} has personal columns but no tenant query in this test");
                continue;
            }

            var rows = Rows(document, name).ToList();
            var exported = rows.Select(r => r.GetProperty("id").ToString()).ToHashSet();
            var missing = ids.Except(exported).ToList();
            Assert.True(missing.Count == 0, $"{tenant}: {name} misses {missing.Count} of its own rows, e.g. {missing.FirstOrDefault()}");
            var others = rows.Where(r => !ids.Contains(r.GetProperty("id").ToString())).ToList();
            foreach (var row in others)
            {
                var carried = people.Where(c => row.GetProperty(c).ValueKind != JsonValueKind.Null).ToList();
                Assert.True(carried.Count == 0, $"{tenant}: {name} row {row.GetProperty("id")} of another tenant carries {string.Join(", ", carried)}");
            }

            Assert.True(others.Count == stubRows.GetProperty(name).GetInt64(), $"{tenant}: {name} has {others.Count} rows of other tenants but metadata says {stubRows.GetProperty(name)} stubs");
            stubs += others.Count;
        }

        return stubs;
    }

    private static async Task<Dictionary<string, HashSet<string>>> CompanyRowsAsync(SupportSignalDbContext db, Guid company)
    {
        var incidents = db.Incidents.Where(i => i.CompanyId == company).Select(i => i.Id);
        var users = db.Users.Where(u => u.CompanyId == company).Select(u => u.Id);
        return await TenantRowsAsync(db, incidents, users, new()
        {
            ["companies"] = db.Companies.Where(c => c.Id == company).Select(c => c.Id),
            ["sites"] = db.Sites.Where(s => s.CompanyId == company).Select(s => s.Id),
            ["users"] = users,
            ["participants"] = db.Participants.Where(p => p.CompanyId == company).Select(p => p.Id),
            ["user_invitations"] = db.UserInvitations.Where(i => i.CompanyId == company).Select(i => i.Id),
            ["impersonation_sessions"] = db.ImpersonationSessions.Where(s => users.Contains(s.AdminUserId)).Select(s => s.Id),
        });
    }

    private static async Task<Dictionary<string, HashSet<string>>> SiteRowsAsync(SupportSignalDbContext db, Guid site)
    {
        var none = db.Users.Where(u => false).Select(u => u.Id);
        return await TenantRowsAsync(db, db.Incidents.Where(i => i.SiteId == site).Select(i => i.Id), none, new()
        {
            // A site's company, users, invitations and sessions are not the site's own: any the segment holds are stubs.
            ["companies"] = none,
            ["sites"] = db.Sites.Where(s => s.Id == site).Select(s => s.Id),
            ["users"] = none,
            ["participants"] = db.Participants.Where(p => p.SiteId == site).Select(p => p.Id),
            ["user_invitations"] = none,
            ["impersonation_sessions"] = none,
        });
    }

    // The tenant's own rows of every table that holds people, by LINQ over the same database.
    private static async Task<Dictionary<string, HashSet<string>>> TenantRowsAsync(
        SupportSignalDbContext db, IQueryable<Guid> incidents, IQueryable<Guid> users, Dictionary<string, IQueryable<Guid>> roots)
    {
        var tables = new Dictionary<string, IQueryable<Guid>>(roots)
        {
            ["incidents"] = incidents,
            ["incident_narratives"] = db.IncidentNarratives.Where(n => incidents.Contains(n.IncidentId)).Select(n => n.Id),
            ["clarification_questions"] = db.ClarificationQuestions.Where(q => incidents.Contains(q.IncidentId)).Select(q => q.Id),
            ["clarification_answers"] = db.ClarificationAnswers.Where(a => incidents.Contains(a.IncidentId)).Select(a => a.Id),
            ["incident_analysis"] = db.IncidentAnalyses.Where(a => incidents.Contains(a.IncidentId)).Select(a => a.Id),
            ["incident_classifications"] = db.IncidentClassifications.Where(c => incidents.Contains(c.IncidentId)).Select(c => c.Id),
            ["enhanced_narratives"] = db.EnhancedNarratives.Where(n => incidents.Contains(n.IncidentId)).Select(n => n.Id),
            ["workflow_handoffs"] = db.WorkflowHandoffs.Where(h => incidents.Contains(h.IncidentId)).Select(h => h.Id),
            ["ai_request_logs"] = db.AiRequestLogs.Where(l => l.IncidentId != null && incidents.Contains(l.IncidentId.Value)).Select(l => l.Id),
        };
        var rows = new Dictionary<string, HashSet<string>>();
        foreach (var (table, ids) in tables)
        {
            rows[table] = (await ids.ToListAsync(Cancel)).Select(id => id.ToString()).ToHashSet();
        }

        // user_claims is keyed by an integer; a claim is its user's.
        rows["user_claims"] = (await db.UserClaims.Where(c => users.Contains(c.UserId)).Select(c => c.Id).ToListAsync(Cancel))
            .Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        return rows;
    }

    private static IEnumerable<JsonElement> Rows(JsonDocument document, string table) =>
        document.RootElement.GetProperty("data").GetProperty(table).EnumerateArray();

    private static JsonElement Segment(JsonDocument document) => document.RootElement.GetProperty("metadata").GetProperty("segment");

    /// <summary>The demo data set exactly as Development seeds it.</summary>
    public sealed class DemoDatabase : IAsyncLifetime
    {
        public TestDatabase Database { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Database = await TestDatabase.CreateAsync(new DemoDataOptions());

        public async ValueTask DisposeAsync() => await Database.DisposeAsync();
    }
}

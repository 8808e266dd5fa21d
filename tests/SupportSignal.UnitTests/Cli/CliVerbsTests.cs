using System.Text.Json;

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using SupportSignal.Cli;
using SupportSignal.Data;
using SupportSignal.Data.Entities;

using Xunit;

namespace SupportSignal.UnitTests.Cli;

/// <summary>migrate, seed, counts and create-admin, in-process against a real SQLite file.</summary>
public sealed class CliVerbsTests : IAsyncLifetime
{
    private const string Password = "Corr3ct-Horse-Battery!";
    private readonly CliDatabase _db = new();

    public ValueTask InitializeAsync() => _db.InitializeAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Migrate_creates_the_database_and_a_second_run_reports_it_up_to_date()
    {
        var first = await _db.RunAsync("migrate");
        var second = await _db.RunAsync("migrate");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.True(File.Exists(_db.DatabasePath));
        Assert.Contains("Migrated", first.Out);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("up to date", second.Out);
    }

    [Fact]
    public async Task Seed_fills_the_tables_asked_for_and_reports_progress_on_stderr()
    {
        await _db.RunAsync("migrate");

        var result = await _db.RunAsync(CliDatabase.SmallSeed);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("seed: incidents 12/12", result.Error);
        Assert.DoesNotContain("seed:", result.Out);
        var counts = _db.CountRows();
        Assert.Equal(12, counts["incidents"]);
        Assert.Equal(2, counts["companies"]);
        Assert.Equal(4, counts["sites"]);
        Assert.Equal(5, counts["participants"]);
    }

    [Fact]
    public async Task Seed_refuses_a_database_that_already_has_data()
    {
        await _db.RunAsync("migrate");
        await _db.RunAsync(CliDatabase.SmallSeed);

        var again = await _db.RunAsync(CliDatabase.SmallSeed);

        Assert.Equal(ExitCodes.Failure, again.ExitCode);
        Assert.Contains("empty database", again.Error);
    }

    [Fact]
    public async Task Seed_out_of_range_option_is_a_bad_argument_named_in_the_message()
    {
        await _db.RunAsync("migrate");

        var result = await _db.RunAsync("seed", "--companies", "0");

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Contains("companies must be between", result.Error);
    }

    [Fact]
    public async Task Counts_match_every_table_sqlite_holds_as_a_table_and_as_json()
    {
        await _db.RunAsync("migrate");
        await _db.RunAsync(CliDatabase.SmallSeed);
        var expected = _db.CountRows();

        var table = await _db.RunAsync("counts");
        var json = await _db.RunAsync("counts", "--json");

        Assert.Equal(ExitCodes.Success, table.ExitCode);
        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var (name, rows) in expected)
        {
            var line = Assert.Single(lines, l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[0] == name);
            Assert.EndsWith(" " + rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), line);
        }

        // Aligned: every data row ends in the same column.
        var widths = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Length).Distinct();
        Assert.Single(widths);

        Assert.Equal(ExitCodes.Success, json.ExitCode);
        using var document = JsonDocument.Parse(json.Out);
        var tables = document.RootElement.GetProperty("tables").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(expected.OrderBy(e => e.Key), tables.OrderBy(e => e.Key));
        Assert.Equal(expected.Values.Sum(), document.RootElement.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Create_admin_takes_the_password_from_the_environment_and_never_prints_it()
    {
        await _db.RunAsync("migrate");

        var result = await CliDatabase.RunAsync(
            _db.Environment(("SUPPORTSIGNAL_ADMIN_PASSWORD", Password)), "create-admin", "--email", "root@example.org");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("root@example.org", result.Out);
        Assert.DoesNotContain(Password, result.All);
        await AssertSystemAdminAsync("root@example.org", Password);
    }

    [Fact]
    public async Task Create_admin_prompts_twice_without_echo_when_stdin_is_a_terminal()
    {
        await _db.RunAsync("migrate");
        var prompts = new List<string>();
        var environment = _db.Environment() with
        {
            StdinIsTerminal = true,
            ReadHiddenLine = (prompt, _) =>
            {
                prompts.Add(prompt);
                return Password;
            },
        };

        var result = await CliDatabase.RunAsync(environment, "create-admin", "--email", "prompted@example.org");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(2, prompts.Count);
        Assert.DoesNotContain(Password, result.All);
        await AssertSystemAdminAsync("prompted@example.org", Password);
    }

    [Fact]
    public async Task Create_admin_resets_the_password_of_an_existing_user()
    {
        await _db.RunAsync("migrate");
        const string Second = "An0ther-Long-Secret!";
        await CliDatabase.RunAsync(_db.Environment(("SUPPORTSIGNAL_ADMIN_PASSWORD", Password)), "create-admin", "--email", "a@example.org");

        var result = await CliDatabase.RunAsync(
            _db.Environment(("SUPPORTSIGNAL_ADMIN_PASSWORD", Second)), "create-admin", "--email", "a@example.org");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        await AssertSystemAdminAsync("a@example.org", Second);
    }

    [Theory]
    [InlineData("short1!A", "at least 12 characters")]
    [InlineData("alllowercaseletters", "an upper-case letter")]
    [InlineData("NoDigitsOrSymbolsHere", "a digit")]
    [InlineData("", "The password is empty")]
    public async Task Create_admin_refuses_a_weak_or_empty_password_and_creates_nobody(string password, string reason)
    {
        await _db.RunAsync("migrate");
        var environment = _db.Environment(("SUPPORTSIGNAL_ADMIN_PASSWORD", password)) with
        {
            StdinIsTerminal = true,
            ReadHiddenLine = (_, _) => password,
        };

        var result = await CliDatabase.RunAsync(environment, "create-admin", "--email", "weak@example.org");

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Contains(reason, result.Error);
        if (password.Length > 0)
        {
            Assert.DoesNotContain(password, result.All);
        }

        await using var db = new DatabaseSettings(DatabaseProvider.Sqlite, _db.ConnectionString).CreateContext();
        Assert.False(await db.Users.AnyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Create_admin_without_a_password_source_says_how_to_give_one()
    {
        await _db.RunAsync("migrate");

        var result = await _db.RunAsync("create-admin", "--email", "nobody@example.org");

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Contains("SUPPORTSIGNAL_ADMIN_PASSWORD", result.Error);
    }

    [Fact]
    public async Task Create_admin_has_no_password_flag()
    {
        await _db.RunAsync("migrate");

        var result = await _db.RunAsync("create-admin", "--email", "x@example.org", "--password", Password);

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Contains("--password", result.Error);
    }

    [Fact]
    public async Task Create_admin_rejects_an_address_that_is_not_an_email()
    {
        await _db.RunAsync("migrate");

        var result = await CliDatabase.RunAsync(
            _db.Environment(("SUPPORTSIGNAL_ADMIN_PASSWORD", Password)), "create-admin", "--email", "not-an-address");

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Contains("--email 'not-an-address'", result.Error);
    }

    private async Task AssertSystemAdminAsync(string email, string password)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = new DatabaseSettings(DatabaseProvider.Sqlite, _db.ConnectionString).CreateContext();
        var user = await db.Users.SingleAsync(u => u.Email == email, ct);
        Assert.Equal(AppRole.SystemAdmin, user.Role);
        var roleIds = await db.UserRoles.Where(ur => ur.UserId == user.Id).Select(ur => ur.RoleId).ToListAsync(ct);
        var roles = await db.Roles.Where(r => roleIds.Contains(r.Id)).Select(r => r.Name).ToListAsync(ct);
        Assert.Equal(["SystemAdmin"], roles);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<User>().VerifyHashedPassword(user, user.PasswordHash!, password));
    }
}

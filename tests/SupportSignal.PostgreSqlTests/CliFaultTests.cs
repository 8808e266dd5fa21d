using Npgsql;

using SupportSignal.Cli;

namespace SupportSignal.PostgreSqlTests;

/// <summary>What an operator sees when the server fails the CLI: exit 3, a clear message, no secret, no file.</summary>
public sealed class CliFaultTests(SeededPostgreSql database) : IClassFixture<SeededPostgreSql>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("supportsignal-pg-faults-").FullName;

    [Fact]
    public async Task The_server_ending_the_session_mid_export_exits_3_and_leaves_no_file()
    {
        await database.EnsureAsync();
        var file = Path.Combine(_directory, "stopped.json");
        // Progress is reported on the exporting thread: when incidents begin (tables before it are
        // already written), the server ends the session, exactly as a fast shutdown does.
        var stderr = new OnLine(line => line.Contains("] incidents ", StringComparison.Ordinal),
            () => database.TerminateSessionsInTransactionAsync().GetAwaiter().GetResult());
        var environment = Cli.Environment(_directory, database.ConnectionString) with { PlainProgressInterval = TimeSpan.Zero };

        // Serial: parallel readers may legitimately have read every row into their buffers already, and
        // then a session ending changes nothing; one reader makes the ending land mid-read every time.
        var result = await Cli.RunAsync(environment, stderr, "export", "--parallel", "1", "--output", file);

        Assert.True(stderr.Fired, "the export should have reached the incidents table");
        Assert.Equal(1, stderr.Terminated);
        Assert.True(result.ExitCode == ExitCodes.Database, result.ToString());
        Assert.Contains("PostgreSQL", result.Error);
        Assert.Contains("terminating connection", result.Error);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_clear_message_and_no_connection_string()
    {
        await database.EnsureAsync();
        var role = "ss_login_" + Guid.NewGuid().ToString("N")[..8];
        const string RightPassword = "Right-Passw0rd-4471";
        const string WrongPassword = "Wrong-Passw0rd-9923";
        await PostgreSqlServer.ScalarAsync(database.ConnectionString, $"CREATE ROLE {role} LOGIN PASSWORD '{RightPassword}'");
        var wrong = Cli.With(database.ConnectionString, b =>
        {
            b.Username = role;
            b.Password = WrongPassword;
        });

        var result = await Cli.RunAsync(Cli.Environment(_directory, wrong), "export", "--output", Path.Combine(_directory, "x.json"));

        Assert.True(result.ExitCode == ExitCodes.Database, result.ToString());
        Assert.Contains("password authentication failed", result.Error);
        Assert.Contains($"PostgreSQL 127.0.0.1:", result.Error);
        var all = result.Out + result.Error;
        Assert.DoesNotContain(WrongPassword, all);
        Assert.DoesNotContain("Password=", all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Username=", all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("at Npgsql", all);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_statement_timeout_exits_3_naming_the_timeout_and_leaves_no_file()
    {
        await database.EnsureAsync();
        // Another session holds a lock the export's count must wait for; the server's
        // statement_timeout (set through the connection string) cancels the wait.
        await using var blocker = new NpgsqlConnection(database.ConnectionString);
        await blocker.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await blocker.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var lockSites = new NpgsqlCommand("LOCK TABLE sites IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockSites.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var timeout = Cli.With(database.ConnectionString, b => b.Options = "-c statement_timeout=300");
        var result = await Cli.RunAsync(Cli.Environment(_directory, timeout), "export", "--output", Path.Combine(_directory, "timeout.json"));

        Assert.True(result.ExitCode == ExitCodes.Database, result.ToString());
        Assert.Contains("statement timeout", result.Error);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Standard error that runs an action, once, when a line matches.</summary>
    private sealed class OnLine(Func<string, bool> match, Func<int> action) : StringWriter
    {
        public bool Fired { get; private set; }

        public int Terminated { get; private set; }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (!Fired && value is not null && match(value))
            {
                Fired = true;
                Terminated = action();
            }
        }
    }
}

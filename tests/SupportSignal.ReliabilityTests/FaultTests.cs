using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Cli;
using SupportSignal.Data.Entities;
using SupportSignal.TestSupport;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.ReliabilityTests;

/// <summary>
/// Faults against the app on real Kestrel over a database grown to tens of megabytes, so that an
/// export is still running when the client leaves or when writers change the data under it.
/// </summary>
public sealed class FaultTests(FaultTests.BigLiveApp live) : IClassFixture<FaultTests.BigLiveApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_that_disconnects_mid_download_stops_the_database_work_and_the_next_export_succeeds()
    {
        using var client = await Clients.Live(live.Address).AdminAsync(Cancel);
        await using var probe = await Sql.OpenAsync(live.DatabasePath, Cancel);

        // Export:MaxConcurrent is 1: the other test's export must have given its slot back first.
        await ExportForm.WaitUntilNoExportRunsAsync(live);
        var response = await ExportForm.PostWhenFreeAsync(client, "json", HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStreamAsync(Cancel);
        Assert.True(await body.ReadAsync(new byte[4096], Cancel) > 0);
        // A write after the export's snapshot began: while that snapshot is open, the WAL cannot be truncated.
        await probe.ExecuteAsync("CREATE TABLE IF NOT EXISTS reliability_probe (n INTEGER); INSERT INTO reliability_probe VALUES (1);", Cancel);
        Assert.False(await probe.NoReaderHoldsASnapshotAsync(Cancel), "the probe should see the running export's snapshot");

        var clock = Stopwatch.StartNew();
        response.Dispose();
        client.Dispose();
        await Poll.UntilAsync(() => probe.NoReaderHoldsASnapshotAsync(Cancel), "the export's read transaction to close after the client left");
        // How soon is a figure for docs/reliability.md, not an assertion: a loaded machine must not fail the test.
        Figures.Record("faults.disconnect.snapshotReleased", $"{clock.Elapsed.TotalMilliseconds:0} ms after the client closed the download");
        await Poll.UntilAsync(
            () => live.Logs.Events.Any(e => e.MessageTemplate.Text.StartsWith("Export cancelled", StringComparison.Ordinal)), "the export's cancellation in the log");

        // The page logs the cancellation, then completes its audit row: wait for the row, then it must say cancelled.
        var outcome = await Poll.UntilAsync(
            async () =>
            {
                await using var db = live.OpenDatabase();
                return await db.ExportAudits.OrderByDescending(a => a.StartedAt).Select(a => (ExportOutcome?)a.Outcome).FirstOrDefaultAsync(Cancel);
            },
            o => o is not ExportOutcome.Started,
            "the abandoned export's audit row to be finished");
        Assert.Equal(ExportOutcome.Cancelled, outcome);

        // Export:MaxConcurrent is 1 here, so this succeeding also proves the slot (and its connection) came back.
        await ExportForm.WaitUntilNoExportRunsAsync(live);
        using var next = await Clients.Live(live.Address).AdminAsync(Cancel);
        using var again = await ExportForm.PostWhenFreeAsync(next, "json", HttpCompletionOption.ResponseContentRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var contents = ExportFiles.Read(await again.Content.ReadAsByteArrayAsync(Cancel), "json");
        Assert.Equal(contents.RecordCounts, contents.RowsPerTable);
    }

    [Fact]
    public async Task An_export_read_while_writers_insert_and_delete_is_a_consistent_snapshot()
    {
        using var client = await Clients.Live(live.Address).AdminAsync(Cancel);
        await ExportForm.WaitUntilNoExportRunsAsync(live);
        using var response = await ExportForm.PostWhenFreeAsync(client, "json", HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var progress = new StrongBox<int>();
        var writes = Task.Run(() => WriteLoadAsync(live.DatabasePath, progress, stop.Token), Cancel);

        // The export has started (its first bytes are here) and waits for this reader, its snapshot open,
        // while the writers commit; then the rest is read.
        var file = new MemoryStream();
        await using (var body = await response.Content.ReadAsStreamAsync(Cancel))
        {
            var buffer = new byte[64 * 1024];
            var read = await body.ReadAsync(buffer, Cancel);
            file.Write(buffer, 0, read);
            await Poll.UntilAsync(() => Volatile.Read(ref progress.Value) >= 5, "five write transactions to commit during the export");
            await stop.CancelAsync();
            await body.CopyToAsync(file, Cancel);
        }

        var committed = await writes;
        Figures.Record("faults.writeLoad", $"{committed} write transactions committed during a {file.Length / 1048576} MB export");
        Assert.True(committed >= 5, $"only {committed} write transactions ran during the export");

        using var document = JsonDocument.Parse(file.ToArray());
        var contents = ExportFiles.Read(file.ToArray(), "json");
        Assert.Equal(contents.RecordCounts, contents.RowsPerTable);
        Assert.Empty(DanglingForeignKeys(document.RootElement));
    }

    [Fact]
    public async Task The_cli_exits_3_with_one_clean_line_when_the_database_cannot_be_reached()
    {
        var directory = Directory.CreateTempSubdirectory("supportsignal-rel-cli-").FullName;
        try
        {
            var notADatabase = Path.Combine(directory, "garbage.db");
            await File.WriteAllTextAsync(notADatabase, new string('x', 4096), Cancel);
            var aDirectory = Directory.CreateDirectory(Path.Combine(directory, "folder.db")).FullName;
            string[] connections =
            [
                $"Data Source={Path.Combine(directory, "missing", "nowhere.db")}",
                $"Data Source={notADatabase}",
                $"Data Source={aDirectory}",
            ];

            foreach (var connection in connections)
            {
                var (code, stderr) = await Cli.RunAsync(directory, Cancel, "export", "--connection", connection, "--output", directory);

                Assert.True(code == ExitCodes.Database, $"{connection}: exit {code}: {stderr}");
                Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Internals.AssertNone(stderr.Replace(directory, "<dir>", StringComparison.Ordinal), "the CLI's error");
            }

            Assert.Empty(Directory.GetFiles(directory, "*.json*"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Every foreign key value in the export points at a row the same export holds.</summary>
    public static List<string> DanglingForeignKeys(JsonElement root)
    {
        var data = root.GetProperty("data");
        var keys = new Dictionary<(string Table, string Columns), HashSet<string>>();
        HashSet<string> KeysOf(string table, IReadOnlyList<string> columns) =>
            keys.TryGetValue((table, string.Join(",", columns)), out var set) ? set
                : keys[(table, string.Join(",", columns))] = data.GetProperty(table).EnumerateArray().Select(r => Key(r, columns)).ToHashSet();

        var dangling = new List<string>();
        foreach (var table in root.GetProperty("metadata").GetProperty("tables").EnumerateArray())
        {
            var name = table.GetProperty("name").GetString()!;
            foreach (var fk in table.GetProperty("foreignKeys").EnumerateArray())
            {
                var columns = fk.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
                var principal = fk.GetProperty("references").GetProperty("table").GetString()!;
                if (!data.TryGetProperty(principal, out _))
                {
                    continue;
                }

                var targets = KeysOf(principal, [.. fk.GetProperty("references").GetProperty("columns").EnumerateArray().Select(c => c.GetString()!)]);
                dangling.AddRange(data.GetProperty(name).EnumerateArray()
                    .Where(r => columns.All(c => r.GetProperty(c).ValueKind != JsonValueKind.Null))
                    .Select(r => Key(r, columns))
                    .Where(k => !targets.Contains(k))
                    .Select(k => $"{name}({string.Join(",", columns)})={k} → {principal}"));
            }
        }

        return dangling;
    }

    private static string Key(JsonElement row, IReadOnlyList<string> columns) =>
        string.Join("|", columns.Select(c => row.GetProperty(c).ToString()));

    /// <summary>Inserts incidents with a narrative each, and deletes earlier ones child first, one transaction each.</summary>
    private static async Task<int> WriteLoadAsync(string databasePath, StrongBox<int> progress, CancellationToken stop)
    {
        await using var connection = await Sql.OpenAsync(databasePath, CancellationToken.None);
        var committed = 0;
        while (!stop.IsCancellationRequested)
        {
            await using (var insert = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync(CancellationToken.None))
            {
                await connection.ExecuteAsync("CREATE TEMP TABLE IF NOT EXISTS new_incident (id TEXT); DELETE FROM new_incident;", CancellationToken.None, insert);
                await connection.ExecuteAsync($"INSERT INTO new_incident VALUES ({Sql.NewGuid})", CancellationToken.None, insert);
                await connection.CloneRowsAsync("incidents", 1, new Dictionary<string, string> { ["id"] = "(SELECT id FROM new_incident)" }, insert);
                await connection.CloneRowsAsync("incident_narratives", 1, new Dictionary<string, string> { ["incident_id"] = "(SELECT id FROM new_incident)" }, insert);
                await insert.CommitAsync(CancellationToken.None);
            }

            await using (var delete = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync(CancellationToken.None))
            {
                await connection.ExecuteAsync(
                    "DELETE FROM incident_narratives WHERE incident_id = (SELECT id FROM new_incident); DELETE FROM incidents WHERE id = (SELECT id FROM new_incident);",
                    CancellationToken.None, delete);
                await delete.CommitAsync(CancellationToken.None);
            }

            committed += 2;
            Volatile.Write(ref progress.Value, committed);
        }

        return committed;
    }

    /// <summary>One export at a time, on real Kestrel, over a database grown past 30 MB by copying AI request logs.</summary>
    public sealed class BigLiveApp : SupportSignalAppFactory
    {
        public const long MinimumBytes = 30L * 1024 * 1024;

        public BigLiveApp() => WithSetting(ExportLimits.MaxConcurrentKey, "1");

        public Uri Address { get; private set; } = null!;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await using (var connection = await Sql.OpenAsync(DatabasePath))
            {
                while (await connection.ScalarAsync<long>("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()") < MinimumBytes)
                {
                    await connection.CloneRowsAsync("ai_request_logs", 5_000);
                }

                await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
            }

            Address = StartRealServer();
        }
    }
}

using System.Diagnostics;
using System.Net;

using SupportSignal.TestSupport;

namespace SupportSignal.ReliabilityTests;

/// <summary>
/// The app on real Kestrel (127.0.0.1, a random port) under a bounded mixed load: 4 clients exporting
/// the whole database over and over, and 50 loading the export page, for <see cref="Settings.LoadDuration"/>.
/// </summary>
// Alone, so the working set and the timings are this load's, not other test classes' running beside it.
[Collection(nameof(LoadTests))]
public sealed class LoadTests(LoadTests.LiveApp live) : IClassFixture<LoadTests.LiveApp>
{
    public const int Exporters = 4;
    public const int PageLoaders = 50;

    /// <summary>The bound on this process's working set growth under load (the app is in-process; see docs/reliability.md).</summary>
    public const long MaxGrowthBytes = 400L * 1024 * 1024;

    [Fact]
    public async Task Four_exporters_and_fifty_page_loads_get_no_5xx_and_every_finished_export_matches_the_database()
    {
        var cancel = TestContext.Current.CancellationToken;
        var expected = await ExportFiles.DatabaseCountsAsync(live, Database.ExportedTables(live), cancel);
        var tally = new Tally();
        var failures = new List<string>();
        var exportMs = new List<long>();
        var pageMs = new List<long>();
        // Every client signs in before the load's time starts: on a loaded machine 54 password checks can
        // take longer than the whole load, which then measured nothing.
        var clients = await Task.WhenAll(Enumerable.Range(0, Exporters + PageLoaders).Select(_ => Clients.Live(live.Address).AdminAsync(cancel)));
        var stopAt = DateTime.UtcNow + Settings.LoadDuration;

        var clock = Stopwatch.StartNew();
        await using (var sampler = new WorkingSetSampler(TimeSpan.FromMilliseconds(100)))
        {
            var exporters = Enumerable.Range(0, Exporters).Select(i => Task.Run(async () =>
            {
                using var client = clients[i];
                // Each client asks at least once, however slow the machine: some export always completes.
                do
                {
                    var timer = Stopwatch.StartNew();
                    using var response = await ExportForm.PostFormatAsync(client, "json", cancellationToken: cancel);
                    var body = await response.Content.ReadAsByteArrayAsync(cancel);
                    var status = (int)response.StatusCode;
                    tally.Add($"export {status}");
                    if (status == 200)
                    {
                        var contents = ExportFiles.Read(body, "json");
                        lock (failures)
                        {
                            exportMs.Add(timer.ElapsedMilliseconds);
                            if (!Same(contents.RecordCounts, expected) || !Same(contents.RowsPerTable, expected))
                            {
                                failures.Add("an export's counts differ from the database");
                            }
                        }
                    }
                    else if (status is 429 or 503)
                    {
                        // Refused by the concurrency limit before any byte: allowed, counted, retried shortly.
                        await Task.Delay(250, cancel);
                    }
                    else
                    {
                        lock (failures)
                        {
                            failures.Add($"export answered {status}");
                        }
                    }
                }
                while (DateTime.UtcNow < stopAt);
            }, cancel)).ToList();

            var loaders = Enumerable.Range(0, PageLoaders).Select(i => Task.Run(async () =>
            {
                using var client = clients[Exporters + i];
                var pages = new[] { ExportForm.Path, "/admin" };
                var n = i;
                do
                {
                    var timer = Stopwatch.StartNew();
                    using var response = await client.GetAsync(pages[n % pages.Length], cancel);
                    await response.Content.ReadAsByteArrayAsync(cancel);
                    tally.Add($"page {(int)response.StatusCode}");
                    lock (failures)
                    {
                        pageMs.Add(timer.ElapsedMilliseconds);
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            failures.Add($"page answered {(int)response.StatusCode}");
                        }
                    }

                    n++;
                }
                while (DateTime.UtcNow < stopAt);
            }, cancel)).ToList();

            await Task.WhenAll([.. exporters, .. loaders]);

            var growth = sampler.Peak - sampler.Baseline;
            Figures.Record("load.duration", $"{clock.Elapsed.TotalSeconds:0.0} s ({Exporters} exporters, {PageLoaders} page loaders)");
            Figures.Record("load.responses", $"{tally}");
            Figures.Record("load.exports", $"{exportMs.Count} completed, median {Median(exportMs)} ms, max {exportMs.DefaultIfEmpty().Max()} ms, {expected.Values.Sum()} records each");
            Figures.Record("load.pages", $"{pageMs.Count} loaded, median {Median(pageMs)} ms, p95 {Percentile(pageMs, 0.95)} ms");
            Figures.Record("load.workingSet", $"baseline {sampler.Baseline / 1048576} MB, peak {sampler.Peak / 1048576} MB, growth {growth / 1048576} MB (bound {MaxGrowthBytes / 1048576} MB)");

            Assert.Empty(failures.Distinct());
            Assert.True(exportMs.Count > 0, $"no export completed: {tally}");
            Assert.True(growth < MaxGrowthBytes, $"working set grew by {growth / 1048576} MB");
        }
    }

    // Every export attempt adds its own export_audit row, so that table's count moves while the
    // load runs by design; every other table must match the database exactly.
    private const string AuditTable = "export_audit";

    private static bool Same(Dictionary<string, long> actual, Dictionary<string, long> expected) =>
        actual.Count == expected.Count && expected.Where(e => e.Key != AuditTable).All(e => actual.GetValueOrDefault(e.Key, -1) == e.Value);

    private static long Median(List<long> values) => Percentile(values, 0.5);

    private static long Percentile(List<long> values, double p) =>
        values.Count == 0 ? 0 : values.Order().ElementAt((int)Math.Min(values.Count - 1, Math.Floor(values.Count * p)));

    [CollectionDefinition(nameof(LoadTests), DisableParallelization = true)]
    public sealed class Alone;

    /// <summary>The app on a real loopback socket, started once for the class.</summary>
    public sealed class LiveApp : SupportSignalAppFactory
    {
        public Uri Address { get; private set; } = null!;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Address = StartRealServer();
        }
    }
}

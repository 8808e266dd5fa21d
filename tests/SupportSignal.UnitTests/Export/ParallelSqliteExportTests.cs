using System.Text;

using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

/// <summary>
/// Several SQLite connections on one snapshot (sqlite3_snapshot_get / sqlite3_snapshot_open), tables
/// read ahead spilled: the file is the serial export's, byte for byte, and nothing committed while the
/// export runs reaches any of its tables.
/// </summary>
public sealed class ParallelSqliteExportTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // A WAL holding commits gives a recorded version to open; an empty one (just checkpointed) the database file itself.
    [Theory]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(2, false)]
    public async Task Parallel_readers_write_the_serial_bytes_and_see_nothing_committed_while_the_export_runs(int readers, bool walHasCommits)
    {
        await using var template = await TestDatabase.CreateAsync(DemoSets.Small, Cancel);
        await using var database = await template.CopyAsync(Cancel);
        database.Execute(walHasCommits ? "UPDATE companies SET name = name || ''" : "PRAGMA wal_checkpoint(TRUNCATE)");
        var serial = await ExportRunner.BytesAsync(database, options: new ExportEngineOptions { Parallelism = 1 }, cancellationToken: Cancel);

        // The export pauses at its first write (snapshot shared, readers started) while another connection commits.
        var gate = new PausingStream();
        var export = Task.Run(
            async () =>
            {
                await using var db = database.NewContext();
                return await new ExportService(db, TestClock.Create(), Parallel(readers)).ExportAsync(new ExportRequest(), gate, Cancel);
            },
            Cancel);
        Assert.True(await gate.Paused.WaitAsync(Poll.DefaultTimeout, Cancel), "the export never paused at its first write");
        WriteDuringTheExport(database, "written-during-the-parallel-export");
        gate.Release();
        var summary = await export;

        Assert.Equal(readers, summary.Readers);
        Assert.Equal(Encoding.UTF8.GetString(serial), gate.ToString());
        Assert.DoesNotContain("written-during-the-parallel-export", gate.ToString());
        var after = Encoding.UTF8.GetString(await ExportRunner.BytesAsync(database, options: Parallel(readers), cancellationToken: Cancel));
        Assert.Contains("written-during-the-parallel-export", after);
        Assert.NotEqual(Encoding.UTF8.GetString(serial), after);
    }

    // Unset, Export:Parallelism is the cores (at most 4): two readers on the two-core machines the benchmark ran on.
    [Fact]
    public async Task An_export_with_no_parallelism_set_reads_a_WAL_database_with_a_reader_per_core_and_the_serial_bytes()
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small, Cancel);
        var serial = await ExportRunner.BytesAsync(database, options: new ExportEngineOptions { Parallelism = 1 }, cancellationToken: Cancel);

        await using var db = database.NewContext();
        using var output = new MemoryStream();
        var summary = await new ExportService(db, TestClock.Create()).ExportAsync(new ExportRequest(), output, Cancel);

        Assert.Equal(Math.Clamp(Environment.ProcessorCount, 1, 4), summary.Readers);
        Assert.Equal(Encoding.UTF8.GetString(serial), Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task A_json_gz_export_reads_on_one_connection_so_its_compressed_bytes_stay_the_serial_ones()
    {
        await using var template = await TestDatabase.CreateAsync(DemoSets.Small, Cancel);
        await using var database = await template.CopyAsync(Cancel);
        var request = new ExportRequest { Format = ExportFormat.JsonGz };
        var serial = await ExportRunner.BytesAsync(database, request, new ExportEngineOptions { Parallelism = 1 }, Cancel);

        await using var db = database.NewContext();
        using var output = new MemoryStream();
        var summary = await new ExportService(db, TestClock.Create(), Parallel(2)).ExportAsync(request, output, Cancel);

        Assert.Equal(1, summary.Readers);
        Assert.True(serial.AsSpan().SequenceEqual(output.ToArray()), "the json.gz file differs from the serial one");
    }

    [Fact]
    public async Task A_database_not_in_WAL_mode_is_read_on_one_connection_with_the_same_bytes()
    {
        // In rollback-journal mode no older version stays readable for another connection.
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small, Cancel);
        database.Execute("PRAGMA journal_mode=DELETE");
        var serial = await ExportRunner.BytesAsync(database, options: new ExportEngineOptions { Parallelism = 1 }, cancellationToken: Cancel);

        await using var db = database.NewContext();
        using var output = new MemoryStream();
        var summary = await new ExportService(db, TestClock.Create(), Parallel(2)).ExportAsync(new ExportRequest(), output, Cancel);

        Assert.Equal(1, summary.Readers);
        Assert.Equal(Encoding.UTF8.GetString(serial), Encoding.UTF8.GetString(output.ToArray()));
    }

    // Each reader writes whole Parquet files, so the zip's entries and the CLI's folder hold the serial export's files.
    [Fact]
    public async Task A_parquet_export_read_by_two_connections_holds_the_serial_files_and_nothing_committed_while_it_runs()
    {
        await using var template = await TestDatabase.CreateAsync(DemoSets.Small, Cancel);
        await using var database = await template.CopyAsync(Cancel);
        database.Execute("UPDATE companies SET name = name || ''");
        var request = new ExportRequest { Format = ExportFormat.Parquet };
        var serial = ParquetFiles.ZipEntries(await ExportRunner.BytesAsync(database, request, Parallel(1), Cancel));

        var gate = new PausingStream();
        var export = Task.Run(
            async () =>
            {
                await using var db = database.NewContext();
                return await new ExportService(db, TestClock.Create(), Parallel(2)).ExportAsync(request, gate, Cancel);
            },
            Cancel);
        Assert.True(await gate.Paused.WaitAsync(Poll.DefaultTimeout, Cancel), "the export never paused at its first write");
        WriteDuringTheExport(database, "written-during-the-parallel-export");
        gate.Release();
        var summary = await export;

        Assert.Equal(2, summary.Readers);
        var parallel = ParquetFiles.ZipEntries(gate.Written.ToArray());
        Assert.True(serial.Count > 10, $"only {serial.Count} files");
        Assert.Equal(serial.Keys.Order(StringComparer.Ordinal), parallel.Keys.Order(StringComparer.Ordinal));
        Assert.All(serial, f => Assert.True(f.Value.AsSpan().SequenceEqual(parallel[f.Key]), $"{f.Key} differs from the serial export's"));

        // The folder the CLI writes: the same files, read now that the commits are in (so they differ from the first ones).
        var after = ParquetFiles.ZipEntries(await ExportRunner.BytesAsync(database, request, Parallel(1), Cancel));
        var root = Directory.CreateTempSubdirectory("parallel-parquet-").FullName;
        try
        {
            await using (var db = database.NewContext())
            {
                var folderSummary = await new ExportService(db, TestClock.Create(), Parallel(2)).ExportAsync(request, new Folder(root), null, Cancel);
                Assert.Equal(2, folderSummary.Readers);
            }

            Assert.Equal(after.Keys.Order(StringComparer.Ordinal), Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal));
            Assert.All(after, f => Assert.True(File.ReadAllBytes(Path.Combine(root, f.Key)).AsSpan().SequenceEqual(f.Value), $"{f.Key} differs in the folder"));
            Assert.False(after["tables/incidents.parquet"].AsSpan().SequenceEqual(serial["tables/incidents.parquet"]), "the commits never reached a later export");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // Pseudonyms depend only on the key and the value, and each reader scrubs with its own buffers.
    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.Parquet)]
    public async Task A_deidentified_export_read_by_two_connections_is_the_serial_one_byte_for_byte(ExportFormat format)
    {
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small, Cancel);
        var request = new ExportRequest { Format = format, Deidentify = true };
        var serial = await ExportRunner.BytesAsync(database, request, Parallel(1) with { PseudonymKey = "parallel-key" }, Cancel);

        await using var db = database.NewContext();
        using var output = new MemoryStream();
        var summary = await new ExportService(db, TestClock.Create(), Parallel(2) with { PseudonymKey = "parallel-key" }).ExportAsync(request, output, Cancel);

        Assert.Equal(2, summary.Readers);
        if (format == ExportFormat.Json)
        {
            Assert.Equal(Encoding.UTF8.GetString(serial), Encoding.UTF8.GetString(output.ToArray()));
            Assert.Contains("\"Participant ", Encoding.UTF8.GetString(serial));
        }
        else
        {
            var (expected, actual) = (ParquetFiles.ZipEntries(serial), ParquetFiles.ZipEntries(output.ToArray()));
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            Assert.All(expected, f => Assert.True(f.Value.AsSpan().SequenceEqual(actual[f.Key]), $"{f.Key} differs from the serial export's"));
        }
    }

    private sealed class Folder(string root) : IExportFolder
    {
        public Task<Stream> CreateFileAsync(string path, CancellationToken cancellationToken)
        {
            var file = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            return Task.FromResult<Stream>(File.Create(file));
        }
    }

    private static ExportEngineOptions Parallel(int readers) => new() { Parallelism = readers };

    // New incidents and narratives (at the end of their keys and, with a low key, at the start), an
    // answer deleted, a participant's notes changed: all committed by another connection.
    private static void WriteDuringTheExport(TestDatabase database, string marker)
    {
        foreach (var id in new[] { "00000000-0000-7000-8000-000000000001", Guid.CreateVersion7().ToString() })
        {
            database.Execute(
                """
                INSERT INTO incidents (id, company_id, site_id, participant_id, reporter_name, participant_name, event_date_time, location,
                    capture_status, analysis_status, overall_status, handoff_status, questions_generated, narrative_enhanced,
                    analysis_generated, created_at, created_by)
                SELECT $id, company_id, site_id, participant_id, $marker, participant_name, event_date_time, location, capture_status,
                    analysis_status, overall_status, handoff_status, 0, 0, 0, created_at, created_by FROM incidents ORDER BY id LIMIT 1;
                INSERT INTO incident_narratives (id, incident_id, before_event, version, created_at)
                VALUES ($nid, $id, $marker, 1, '2026-11-26 09:00:00');
                """,
                ("$id", id.ToUpperInvariant()), ("$nid", Guid.CreateVersion7().ToString().ToUpperInvariant()), ("$marker", marker));
        }

        database.Execute(
            """
            DELETE FROM clarification_answers WHERE id = (SELECT id FROM clarification_answers ORDER BY id LIMIT 1 OFFSET 20);
            UPDATE participants SET care_notes = $marker WHERE id = (SELECT id FROM participants ORDER BY id LIMIT 1 OFFSET 10);
            """,
            ("$marker", marker));
    }
}

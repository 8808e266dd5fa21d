using System.IO.Compression;
using System.Text.Json;

using SupportSignal.Cli;

using Xunit;

namespace SupportSignal.UnitTests.Cli;

/// <summary><c>supportsignal export</c> in every format, to files, directories and stdout, against one seeded database.</summary>
public sealed class CliExportTests(SeededCliDatabase db) : IClassFixture<SeededCliDatabase>
{
    private readonly string _output = CreateOutputDirectory(db);

    [Fact]
    public async Task Json_export_holds_every_exportable_table_with_the_database_counts()
    {
        var path = Path.Combine(_output, "export.json");

        var result = await db.RunAsync("export", "--output", path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        AssertCountsMatchDatabase(document.RootElement.GetProperty("metadata"), table => document.RootElement.GetProperty("data").GetProperty(table).GetArrayLength());
        Assert.Equal(["export.json"], CliDatabase.FilesIn(_output));
    }

    [Fact]
    public async Task Json_gz_inflates_to_the_same_data_as_the_json_export()
    {
        var (json, gz) = await ExportAsJsonAndAsync("json.gz");

        using var inflated = new MemoryStream();
        using (var gzip = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress))
        {
            gzip.CopyTo(inflated);
        }

        using var fromGz = JsonDocument.Parse(inflated.ToArray());
        using var fromJson = JsonDocument.Parse(File.ReadAllBytes(json));
        Assert.Equal(DataTables(fromJson), DataTables(fromGz));
        AssertCountsMatchDatabase(fromGz.RootElement.GetProperty("metadata"), t => fromGz.RootElement.GetProperty("data").GetProperty(t).GetArrayLength());
    }

    [Fact]
    public async Task Zip_holds_metadata_and_one_jsonl_per_table_with_the_json_exports_rows()
    {
        var (json, zipPath) = await ExportAsJsonAndAsync("zip");

        using var fromJson = JsonDocument.Parse(File.ReadAllBytes(json));
        using var zip = ZipFile.OpenRead(zipPath);
        using var metadata = JsonDocument.Parse(Read(zip.GetEntry("metadata.json")!));
        var lines = zip.Entries
            .Where(e => e.FullName.StartsWith("tables/", StringComparison.Ordinal))
            .ToDictionary(
                e => Path.GetFileNameWithoutExtension(e.Name),
                e => Read(e).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        AssertCountsMatchDatabase(metadata.RootElement.GetProperty("metadata"), t => lines[t].Length);
        foreach (var (table, rows) in lines.Where(l => l.Key != AuditTable))
        {
            var expected = fromJson.RootElement.GetProperty("data").GetProperty(table).EnumerateArray().Select(r => r.GetRawText());
            Assert.Equal(expected, rows);
        }
    }

    [Fact]
    public async Task Parquet_into_a_directory_is_a_timestamped_folder_of_metadata_and_one_file_per_table()
    {
        var result = await db.RunAsync("export", "--format", "parquet", "--output", _output, "--quiet");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var folder = Path.Combine(_output, "supportsignal-db-export-2026-11-26-0930.parquet");
        Assert.Equal([folder], Directory.GetDirectories(_output));
        Assert.Equal(["metadata.json"], CliDatabase.FilesIn(folder));
        using var metadata = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "metadata.json")));
        var counts = metadata.RootElement.GetProperty("metadata").GetProperty("recordCounts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(counts.Keys.Select(t => t + ".parquet").Order(StringComparer.Ordinal), CliDatabase.FilesIn(Path.Combine(folder, "tables")));
        foreach (var (table, count) in counts)
        {
            await using var file = File.OpenRead(Path.Combine(folder, "tables", table + ".parquet"));
            Assert.Equal(count, (await ParquetFiles.ReadAsync(table, file, TestContext.Current.CancellationToken)).Footer.NumRows);
        }

        AssertCountsMatchDatabase(metadata.RootElement.GetProperty("metadata"), t => (int)counts[t]);
    }

    [Fact]
    public async Task A_parquet_folder_is_replaced_only_with_force_and_a_zip_path_gets_the_zip()
    {
        var folder = Path.Combine(_output, "export.parquet");
        var zip = Path.Combine(_output, "export.parquet.zip");

        var first = await db.RunAsync("export", "--format", "parquet", "-o", folder, "--tables", "companies", "--quiet");
        var again = await db.RunAsync("export", "--format", "parquet", "-o", folder, "--quiet");
        var forced = await db.RunAsync("export", "--format", "parquet", "-o", folder, "--force", "--quiet");
        var zipped = await db.RunAsync("export", "--format", "parquet", "-o", zip, "--quiet");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(ExitCodes.OutputNotWritable, again.ExitCode);
        Assert.Contains("already exists; use --force", again.Error);
        Assert.Equal(ExitCodes.Success, forced.ExitCode);
        Assert.True(CliDatabase.FilesIn(Path.Combine(folder, "tables")).Length > 10, "the forced export replaced the one-table folder");
        Assert.Equal([folder], Directory.GetDirectories(_output));
        Assert.Equal(ExitCodes.Success, zipped.ExitCode);
        using var archive = ZipFile.OpenRead(zip);
        Assert.Equal(
            CliDatabase.FilesIn(Path.Combine(folder, "tables")).Select(f => "tables/" + f).Append("metadata.json").Order(StringComparer.Ordinal),
            archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_directory_gets_the_timestamped_default_name_for_the_format()
    {
        var result = await db.RunAsync("export", "--format", "zip", "--output", _output, "--quiet");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["supportsignal-db-export-2026-11-26-0930.zip"], CliDatabase.FilesIn(_output));
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Dash_writes_the_document_to_standard_output_and_the_summary_to_stderr()
    {
        var result = await db.RunAsync("export", "--output", "-", "--tables", "companies");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var document = JsonDocument.Parse(result.StandardOutputBytes);
        Assert.Equal(db.CountRows()["companies"], document.RootElement.GetProperty("data").GetProperty("companies").GetArrayLength());
        Assert.Contains("to standard output", result.Error);
        Assert.Empty(CliDatabase.FilesIn(_output));
    }

    [Fact]
    public async Task Dash_without_a_binary_stdout_writes_the_json_text_to_the_stdout_writer()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await CliApp.RunAsync(
            ["export", "-o", "-", "--tables", "sites", "--quiet"], stdout, stderr, db.Environment(), TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Success, code);
        using var document = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(db.CountRows()["sites"], document.RootElement.GetProperty("data").GetProperty("sites").GetArrayLength());
        Assert.Equal("", stderr.ToString());
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("json.gz")]
    [InlineData("parquet")]
    public async Task A_binary_format_is_not_written_to_a_terminal(string format)
    {
        var result = await CliDatabase.RunAsync(db.Environment() with { StdoutIsTerminal = true }, "export", "-o", "-", "--format", format);

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Contains($"--format {format}", result.Error);
        Assert.Contains("is binary and standard output is a terminal", result.Error);
        Assert.Empty(result.StandardOutputBytes);
    }

    [Fact]
    public async Task Tables_are_taken_comma_separated_and_repeated()
    {
        var path = Path.Combine(_output, "some.json");

        var result = await db.RunAsync("export", "-o", path, "--tables", "incidents, sites", "--tables", "companies", "--no-closure");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var tables = document.RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(["companies", "incidents", "sites"], tables);
        var filters = document.RootElement.GetProperty("metadata").GetProperty("filtersApplied");
        Assert.Equal(["companies", "incidents", "sites"], filters.GetProperty("tables").EnumerateArray().Select(t => t.GetString()).Order());
        Assert.False(filters.GetProperty("closure").GetBoolean());
    }

    [Fact]
    public async Task Company_filter_exports_that_companys_segment_only()
    {
        var companies = db.Query("SELECT id FROM companies ORDER BY id");
        var path = Path.Combine(_output, "segment.json");

        var result = await db.RunAsync("export", "-o", path, "--company", companies[0]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var exported = document.RootElement.GetProperty("data").GetProperty("companies").EnumerateArray().Select(c => c.GetProperty("id").GetString());
        Assert.Equal([companies[0].ToLowerInvariant()], exported);
        var incidents = document.RootElement.GetProperty("data").GetProperty("incidents").EnumerateArray().ToList();
        Assert.NotEmpty(incidents);
        Assert.All(incidents, i => Assert.Equal(companies[0].ToLowerInvariant(), i.GetProperty("company_id").GetString()));
        Assert.Equal("segmented", document.RootElement.GetProperty("metadata").GetProperty("exportType").GetString());
    }

    [Fact]
    public async Task Deidentify_leaves_no_participant_name_in_the_file_and_says_so_in_the_metadata()
    {
        var names = db.Query("SELECT last_name FROM participants").Where(n => n.Length >= 4).ToList();
        var result = await db.RunAsync("export", "-o", _output, "--deidentify", "--quiet");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var file = Assert.Single(CliDatabase.FilesIn(_output));
        Assert.Equal("supportsignal-db-export-2026-11-26-0930-deidentified.json", file);
        var text = File.ReadAllText(Path.Combine(_output, file));
        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.DoesNotContain(name, text));
        using var document = JsonDocument.Parse(text);
        Assert.True(document.RootElement.GetProperty("metadata").GetProperty("sanitization").GetProperty("deidentified").GetBoolean());
    }

    [Fact]
    public async Task The_pseudonym_key_from_the_environment_makes_pseudonyms_stable_and_is_never_printed()
    {
        const string Key = "cli-test-pseudonym-key-3f9a";
        var keyed = db.Environment(("Export__PseudonymKey", Key));
        string[] args = ["export", "-o", "-", "--deidentify", "--tables", "participants", "--no-closure"];

        var first = await CliDatabase.RunAsync(keyed, args);
        var second = await CliDatabase.RunAsync(keyed, args);
        var unkeyed = await CliDatabase.RunAsync(db.Environment(), args);

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(Participants(first), Participants(second));
        Assert.NotEqual(Participants(first), Participants(unkeyed));
        Assert.DoesNotContain(Key, Utf8.Text(first.StandardOutputBytes) + first.All);

        static string Participants(CliResult result)
        {
            using var document = JsonDocument.Parse(result.StandardOutputBytes);
            return document.RootElement.GetProperty("data").GetProperty("participants").GetRawText();
        }
    }

    [Fact]
    public async Task A_segment_in_a_directory_gets_the_segment_suffix()
    {
        var company = db.Query("SELECT id FROM companies ORDER BY id")[0];

        var result = await db.RunAsync("export", "-o", _output, "--company", company, "--format", "json.gz", "--quiet");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["supportsignal-db-export-2026-11-26-0930-segment.json.gz"], CliDatabase.FilesIn(_output));
    }

    [Theory]
    [InlineData("--company: No company has the id", "--company", "00000000-0000-0000-0000-000000000001")]
    [InlineData("--company: Company 'acme' is not a valid id", "--company", "acme")]
    [InlineData("--site: Site 'x' is not a valid id", "--site", "x")]
    [InlineData("--from: The start date '2026-13-01' is not a date", "--from", "2026-13-01")]
    [InlineData("--from: The start date 2026-02-01 is after the end date 2026-01-01", "--from", "2026-02-01", "--to", "2026-01-01")]
    public async Task A_bad_segment_filter_exits_2_naming_the_flag_and_leaves_nothing_behind(string message, params string[] filter)
    {
        var path = Path.Combine(_output, "bad-filter.json");

        var result = await db.RunAsync(["export", "-o", path, .. filter]);

        Assert.Equal(ExitCodes.BadArguments, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.Empty(CliDatabase.FilesIn(_output));
    }

    [Fact]
    public async Task Every_attempt_leaves_a_cli_row_in_the_audit_trail()
    {
        // A filter value no other test uses finds each attempt's row among the other tests' in the shared database.
        var marker = Guid.NewGuid().ToString("N")[..8];
        var ok = await db.RunAsync("export", "-o", Path.Combine(_output, "audited.json"), "--tables", "companies", "--from", "2001-01-01");
        var rejected = await db.RunAsync("export", "-o", Path.Combine(_output, "no.json"), "--tables", "companies," + marker);
        var failed = await CliDatabase.RunAsync(
            db.Environment() with { StandardOutput = () => new FailingStream(failAfterBytes: 0) }, "export", "-o", "-", "--tables", "sites", "--from", "2002-02-02");

        Assert.Equal(ExitCodes.Success, ok.ExitCode);
        Assert.Equal(ExitCodes.BadArguments, rejected.ExitCode);
        Assert.Equal(ExitCodes.OutputNotWritable, failed.ExitCode);
        Assert.Equal(["succeeded|cli|json|"], db.Query(
            "SELECT outcome || '|' || source || '|' || format || '|' || coalesce(error_code, '') FROM export_audit WHERE filters LIKE '%2001-01-01%'"));
        Assert.Equal(["rejected|bad_input:tables"], db.Query(
            $"SELECT outcome || '|' || error_code FROM export_audit WHERE filters LIKE '%{marker}%'"));
        Assert.Equal(["failed|output_not_writable"], db.Query(
            "SELECT outcome || '|' || error_code FROM export_audit WHERE filters LIKE '%2002-02-02%'"));
    }

    [Fact]
    public async Task An_existing_file_is_refused_and_left_unchanged_without_force()
    {
        var path = Path.Combine(_output, "existing.json");
        File.WriteAllText(path, "keep me");

        var result = await db.RunAsync("export", "--output", path);

        Assert.Equal(ExitCodes.OutputNotWritable, result.ExitCode);
        Assert.Contains("already exists", result.Error);
        Assert.Contains("--force", result.Error);
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Equal(["existing.json"], CliDatabase.FilesIn(_output));
    }

    [Fact]
    public async Task Force_replaces_an_existing_file_with_the_export()
    {
        var path = Path.Combine(_output, "replace.json");
        File.WriteAllText(path, "old");

        var result = await db.RunAsync("export", "--output", path, "--force", "--tables", "companies");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        Assert.True(document.RootElement.GetProperty("data").TryGetProperty("companies", out _));
        Assert.Equal(["replace.json"], CliDatabase.FilesIn(_output));
    }

    [Fact]
    public async Task A_missing_output_directory_is_not_writable_and_nothing_is_created()
    {
        var path = Path.Combine(_output, "no-such-dir", "x.json");

        var result = await db.RunAsync("export", "--output", path);

        Assert.Equal(ExitCodes.OutputNotWritable, result.ExitCode);
        Assert.Contains("does not exist", result.Error);
        Assert.Contains(Path.Combine(_output, "no-such-dir"), result.Error);
        Assert.Empty(CliDatabase.FilesIn(_output));
        Assert.False(Directory.Exists(Path.Combine(_output, "no-such-dir")));
    }

    [Fact]
    public async Task A_directory_nobody_may_create_files_in_is_not_writable()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "uses /proc, where not even root can create a file");

        var result = await db.RunAsync("export", "--output", "/proc/supportsignal-export.json");

        Assert.Equal(ExitCodes.OutputNotWritable, result.ExitCode);
        Assert.Contains("Cannot write /proc/supportsignal-export.json.partial", result.Error);
        Assert.False(File.Exists("/proc/supportsignal-export.json.partial"));
    }

    [Fact]
    public async Task A_link_planted_at_the_partial_path_is_replaced_not_followed()
    {
        var victim = Path.Combine(_output, "victim.txt");
        File.WriteAllText(victim, "precious");
        var path = Path.Combine(_output, "linked.json");
        File.CreateSymbolicLink(path + ".partial", victim);

        var result = await db.RunAsync("export", "--output", path, "--tables", "companies");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal(["linked.json", "victim.txt"], CliDatabase.FilesIn(_output));
    }

    [Fact]
    public async Task A_stale_partial_file_from_a_killed_run_is_replaced()
    {
        var path = Path.Combine(_output, "stale.json");
        File.WriteAllText(path + ".partial", "half an export");

        var result = await db.RunAsync("export", "--output", path, "--tables", "companies");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["stale.json"], CliDatabase.FilesIn(_output));
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
    }

    [Fact]
    public async Task A_failing_write_mid_export_exits_4_and_leaves_no_partial_file()
    {
        var result = await CliDatabase.RunAsync(
            db.Environment() with { StandardOutput = () => new FailingStream(failAfterBytes: 4096) }, "export", "-o", "-", "--quiet");

        Assert.Equal(ExitCodes.OutputNotWritable, result.ExitCode);
        Assert.Contains("Writing standard output failed", result.Error);
        Assert.Contains("disk full (simulated)", result.Error);
    }

    [Fact]
    public async Task Cancelling_mid_export_exits_130_deletes_the_partial_file_and_leaves_the_destination_unchanged()
    {
        var path = Path.Combine(_output, "cancelled.json");
        var partialSeen = false;
        // The first progress line means the partial file is open and the export is streaming.
        var result = await ExportCancelledAtAsync(path, line => line.Contains("export:", StringComparison.Ordinal),
            () => partialSeen = File.Exists(path + ".partial"));

        Assert.True(partialSeen);
        Assert.Equal(ExitCodes.Cancelled, result.ExitCode);
        Assert.Contains("cancelled|cancelled", db.Query("SELECT outcome || '|' || error_code FROM export_audit"));
        Assert.Contains("Cancelled", result.Error);
        Assert.Equal("previous export", File.ReadAllText(path));
        Assert.Equal(["cancelled.json"], CliDatabase.FilesIn(_output));
    }

    [Fact]
    public async Task Cancelling_after_the_last_row_but_before_the_file_is_moved_still_leaves_the_destination_unchanged()
    {
        var path = Path.Combine(_output, "late-cancel.json");
        var cancelled = false;
        // "total N/N,": every row is written; only moving the finished file onto the path remains.
        var result = await ExportCancelledAtAsync(path, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"total ([\d,]+)/\1,"),
            () => cancelled = true);

        Assert.True(cancelled, result.Error);
        Assert.Equal(ExitCodes.Cancelled, result.ExitCode);
        Assert.Equal("previous export", File.ReadAllText(path));
        Assert.DoesNotContain(CliDatabase.FilesIn(_output), f => f.StartsWith("late-cancel.json.", StringComparison.Ordinal));
    }

    // Exports over "previous export" at path with a progress line per report, cancelling at the first
    // line that isMarker accepts (after atMarker has looked around).
    private async Task<CliResult> ExportCancelledAtAsync(string path, Func<string, bool> isMarker, Action atMarker)
    {
        File.WriteAllText(path, "previous export");
        using var cancel = new CancellationTokenSource();
        var stderr = new TriggerWriter(isMarker, () =>
        {
            atMarker();
            cancel.Cancel();
        });
        var environment = db.Environment() with { PlainProgressInterval = TimeSpan.Zero };
        return await CliDatabase.RunCancellableAsync(environment, ["export", "-o", path, "--force"], stderr, cancel.Token);
    }

    [Fact]
    public async Task Plain_progress_lines_go_to_stderr_when_it_is_not_a_terminal()
    {
        var result = await CliDatabase.RunAsync(
            db.Environment() with { PlainProgressInterval = TimeSpan.Zero }, "export", "-o", Path.Combine(_output, "p.json"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("export: [1/", StringComparison.Ordinal) && l.Contains(" rows, total "));
        Assert.DoesNotContain('\r', result.Error);
        Assert.StartsWith("Exported ", lines[^1]);
        Assert.Contains(" records from ", lines[^1]);
    }

    [Fact]
    public async Task A_terminal_gets_one_live_line_rewritten_in_place_then_the_summary()
    {
        var result = await CliDatabase.RunAsync(db.Environment() with { StderrIsTerminal = true }, "export", "-o", Path.Combine(_output, "t.json"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("\r[1/", result.Error);
        // The last update shows every row done, as many as the summary reports.
        var total = System.Text.RegularExpressions.Regex.Match(result.Error, @"Exported ([\d,]+) records").Groups[1].Value;
        var last = result.Error.Split('\r').Last(u => u.StartsWith('['));
        Assert.Contains($" total {total}/{total},", last);
        Assert.Contains(" MiB/s", result.Error.Replace("KiB/s", "MiB/s", StringComparison.Ordinal));
        var summary = result.Error[(result.Error.LastIndexOf('\r') + 1)..];
        Assert.StartsWith("Exported ", summary);
        Assert.Single(summary.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task The_live_line_is_cut_to_the_terminal_width()
    {
        var result = await CliDatabase.RunAsync(
            db.Environment() with { StderrIsTerminal = true, TerminalWidth = 40 }, "export", "-o", Path.Combine(_output, "w.json"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var updates = result.Error.Split('\r', '\n').Where(l => l.StartsWith('[')).ToList();
        Assert.NotEmpty(updates);
        Assert.All(updates, u => Assert.True(u.TrimEnd().Length < 40, u));
    }

    [Fact]
    public async Task Quiet_prints_nothing_on_success()
    {
        var result = await CliDatabase.RunAsync(
            db.Environment() with { StderrIsTerminal = true, PlainProgressInterval = TimeSpan.Zero },
            "export", "-o", Path.Combine(_output, "q.json"), "--quiet");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Equal("", result.Out);
    }

    // Each export records itself in export_audit, so that table differs between two exports by design.
    private const string AuditTable = "export_audit";

    private static Dictionary<string, string> DataTables(JsonDocument document) =>
        document.RootElement.GetProperty("data").EnumerateObject().Where(t => t.Name != AuditTable).ToDictionary(t => t.Name, t => t.Value.GetRawText());

    /// <summary>Exports the database as json and in <paramref name="format"/>; returns both paths.</summary>
    private async Task<(string Json, string Other)> ExportAsJsonAndAsync(string format)
    {
        var json = Path.Combine(_output, "export.json");
        var other = Path.Combine(_output, "export." + format);
        Assert.Equal(ExitCodes.Success, (await db.RunAsync("export", "--output", json)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await db.RunAsync("export", "--format", format, "--output", other)).ExitCode);
        return (json, other);
    }

    private void AssertCountsMatchDatabase(JsonElement metadata, Func<string, int> rowsWritten)
    {
        var database = db.CountRows();
        var recordCounts = metadata.GetProperty("recordCounts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        var excluded = metadata.GetProperty("sanitization").GetProperty("excludedTables").EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetProperty("table").GetString()!)
            .ToHashSet();
        Assert.Equal(database.Keys.Order(), recordCounts.Keys.Concat(excluded).Order());
        Assert.NotEmpty(recordCounts);
        foreach (var (table, count) in recordCounts)
        {
            Assert.Equal(database[table], count);
            Assert.Equal(count, rowsWritten(table));
        }
    }

    private static string Read(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private static string CreateOutputDirectory(CliDatabase db)
    {
        var directory = db.OutputPath("out-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    private sealed class FailingStream(int failAfterBytes) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Length + buffer.Length > failAfterBytes)
            {
                throw new IOException("disk full (simulated)");
            }

            base.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }
    }
}

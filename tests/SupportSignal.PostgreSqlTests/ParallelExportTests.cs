using System.Text;

using Npgsql;

using SupportSignal.Cli;
using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Export;

namespace SupportSignal.PostgreSqlTests;

/// <summary>
/// Several connections reading one snapshot (pg_export_snapshot / SET TRANSACTION SNAPSHOT) write
/// the same bytes as one connection, and neither sees rows committed while it runs.
/// </summary>
public sealed class ParallelExportTests(SeededPostgreSql database) : IClassFixture<SeededPostgreSql>, IDisposable
{
    // Where the parallel readers of the spill tests put the tables they read ahead of the writer.
    private readonly string _spill = Directory.CreateTempSubdirectory("supportsignal-pg-spill-").FullName;

    public void Dispose() => Directory.Delete(_spill, recursive: true);

    [Fact]
    public async Task The_parallel_export_is_byte_identical_to_the_serial_one_and_neither_sees_rows_written_meanwhile()
    {
        await database.EnsureAsync();
        var serialBefore = await ExportAsync(parallelism: 1);

        var sessions = 0;
        var parallel = await ExportAsync(parallelism: 4, duringExport: () =>
        {
            sessions = ReadingSessions();
            Insert("written-during-parallel");
        });

        Assert.True(sessions >= 2, $"the parallel export should read with several sessions; saw {sessions}");
        Assert.True(serialBefore.AsSpan().SequenceEqual(parallel), FirstDifference(serialBefore, parallel));
        Assert.DoesNotContain("written-during-parallel", Encoding.UTF8.GetString(parallel));

        var serial = await ExportAsync(parallelism: 1, duringExport: () => Insert("written-during-serial"));
        var serialText = Encoding.UTF8.GetString(serial);
        Assert.Contains("written-during-parallel", serialText);
        Assert.DoesNotContain("written-during-serial", serialText);

        var after = Encoding.UTF8.GetString(await ExportAsync(parallelism: 4));
        Assert.Contains("written-during-parallel", after);
        Assert.Contains("written-during-serial", after);
    }

    [Fact]
    public async Task The_parallel_gzip_export_decompresses_to_the_serial_document()
    {
        await database.EnsureAsync();
        var serial = await ExportAsync(parallelism: 1);
        var gzip = await ExportAsync(parallelism: 3, format: ExportFormat.JsonGz);

        await using var unzip = new System.IO.Compression.GZipStream(new MemoryStream(gzip), System.IO.Compression.CompressionMode.Decompress);
        using var document = new MemoryStream();
        await unzip.CopyToAsync(document, TestContext.Current.CancellationToken);
        Assert.True(serial.AsSpan().SequenceEqual(document.ToArray()), FirstDifference(serial, document.ToArray()));
    }

    [Fact]
    public async Task The_CLI_refuses_a_parallelism_out_of_range_naming_the_flag_and_writes_no_file()
    {
        await database.EnsureAsync();
        var directory = Directory.CreateTempSubdirectory("supportsignal-pg-parallel-").FullName;
        try
        {
            var refused = await Cli.RunAsync(Cli.Environment(directory, database.ConnectionString), "export", "--parallel", "0", "-o", Path.Combine(directory, "x.json"));
            Assert.True(refused.ExitCode == ExitCodes.BadArguments, refused.ToString());
            Assert.Contains("--parallel", refused.Error);
            Assert.Empty(Directory.GetFiles(directory));

            var file = Path.Combine(directory, "p.json");
            var ok = await Cli.RunAsync(Cli.Environment(directory, database.ConnectionString, ("Export__Parallelism", "2")), "export", "--quiet", "-o", file);
            Assert.True(ok.ExitCode == ExitCodes.Success, ok.ToString());
            Assert.True(new FileInfo(file).Length > 0);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Tables_read_ahead_are_spilled_to_owner_only_files_that_are_gone_after_the_export()
    {
        await database.EnsureAsync();
        var serial = await ExportAsync(parallelism: 1);
        var seen = new List<UnixFileMode>();
        // At each table the writer begins, the tables other readers took while an earlier one was
        // still being read sit spilled, waiting for the writer.
        var parallel = await ExportAsync(parallelism: 4, spillDirectory: _spill, onTable: _ =>
            seen.AddRange(Directory.GetFiles(_spill).Select(file => OperatingSystem.IsWindows() ? OwnerOnly : File.GetUnixFileMode(file))));

        Assert.True(serial.AsSpan().SequenceEqual(parallel), FirstDifference(serial, parallel));
        Assert.NotEmpty(seen);
        Assert.All(seen, mode => Assert.Equal(OwnerOnly, mode));
        Assert.Empty(Directory.GetFiles(_spill));
    }

    [Fact]
    public async Task A_parallel_export_whose_output_fails_midway_leaves_no_spilled_rows_behind()
    {
        await database.EnsureAsync();
        await using var db = database.Settings.CreateContext();
        // The output refuses its write once the writer has begun the incidents table, the way a full disk does.
        var output = new FailingStream();
        var progress = new Inline(p => output.Failing |= p.Table == "incidents");
        var failure = await Assert.ThrowsAsync<IOException>(() => new ExportService(db, new FixedClock(), new ExportEngineOptions { Parallelism = 4, SpillDirectory = _spill })
            .ExportAsync(new ExportRequest(), output, progress, TestContext.Current.CancellationToken));

        Assert.Equal(FailingStream.Message, failure.Message);
        Assert.Empty(Directory.GetFiles(_spill));
    }

    [Fact]
    public async Task A_spill_folder_that_cannot_be_written_fails_the_export_naming_the_folder_and_the_way_out()
    {
        await database.EnsureAsync();
        await using var db = database.Settings.CreateContext();
        var blocked = Path.Combine(_spill, "a-file");
        await File.WriteAllTextAsync(blocked, "not a folder", TestContext.Current.CancellationToken);
        var spill = Path.Combine(blocked, "spill");

        var failure = await Assert.ThrowsAsync<ExportSpillException>(() => new ExportService(db, new FixedClock(), new ExportEngineOptions { Parallelism = 4, SpillDirectory = spill })
            .ExportAsync(new ExportRequest(), Stream.Null, TestContext.Current.CancellationToken));

        Assert.Contains(spill, failure.Message, StringComparison.Ordinal);
        Assert.Contains("Export:SpillDirectory", failure.Message, StringComparison.Ordinal);
        Assert.Contains("--parallel 1", failure.Message, StringComparison.Ordinal);
        Assert.Equal(ExportErrorCodes.OutputNotWritable, ExportErrorCodes.ForFailure(failure, started: true));
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private async Task<byte[]> ExportAsync(
        int parallelism, Action? duringExport = null, ExportFormat format = ExportFormat.Json, string? spillDirectory = null, Action<string>? onTable = null)
    {
        await using var db = database.Settings.CreateContext();
        using var output = new MemoryStream();
        var fired = false;
        string? table = null;
        var progress = new Inline(p =>
        {
            if (!fired)
            {
                fired = true;
                duringExport?.Invoke();
            }

            if (p.Table is { Length: > 0 } current && current != table)
            {
                table = current;
                onTable?.Invoke(current);
            }
        });
        await new ExportService(db, new FixedClock(), new ExportEngineOptions { Parallelism = parallelism, SpillDirectory = spillDirectory })
            .ExportAsync(new ExportRequest { Format = format }, output, progress, TestContext.Current.CancellationToken);
        Assert.True(fired, "the export should have reported progress");
        return output.ToArray();
    }

    // Committed by another session while the export runs.
    private void Insert(string marker)
    {
        using var db = database.Settings.CreateContext();
        db.AiPrompts.Add(new AiPrompt
        {
            Id = Guid.CreateVersion7(),
            PromptName = marker,
            PromptVersion = "1",
            PromptTemplate = marker,
            CreatedAt = DateTime.UtcNow,
        });
        db.AiRequestLogs.Add(new AiRequestLog
        {
            Id = Guid.CreateVersion7(),
            CorrelationId = marker,
            Operation = marker,
            Model = "m",
            CreatedAt = DateTime.UtcNow,
        });
        db.SaveChanges();
    }

    private int ReadingSessions()
    {
        using var connection = new NpgsqlConnection(PostgreSqlServer.RequireAsync().GetAwaiter().GetResult());
        connection.Open();
        using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue(database.ApplicationName);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static string FirstDifference(byte[] expected, byte[] actual, string expectedName = "serial", string actualName = "parallel")
    {
        var i = 0;
        while (i < Math.Min(expected.Length, actual.Length) && expected[i] == actual[i])
        {
            i++;
        }

        string Around(byte[] b) => Encoding.UTF8.GetString(b, Math.Max(0, i - 60), Math.Min(120, b.Length - Math.Max(0, i - 60)));
        return $"first difference at byte {i} of {expected.Length}/{actual.Length}:\n{expectedName}: {Around(expected)}\n{actualName}: {Around(actual)}";
    }

    private sealed class Inline(Action<ExportProgress> report) : IProgress<ExportProgress>
    {
        public void Report(ExportProgress value) => report(value);
    }

    private sealed class FailingStream : MemoryStream
    {
        public const string Message = "No space left on device";

        public bool Failing { get; set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            ThrowIfFailing();
            base.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            ThrowIfFailing();
            base.Write(buffer, offset, count);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            ThrowIfFailing();
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ThrowIfFailing();
            return base.WriteAsync(buffer, cancellationToken);
        }

        private void ThrowIfFailing()
        {
            if (Failing)
            {
                throw new IOException(Message);
            }
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    }
}

using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Npgsql;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.DemoData;
using SupportSignal.Export;

namespace SupportSignal.PostgreSqlTests;

/// <summary>
/// A PostgreSQL database of its own: the small demo set plus rows at the edges of every kind of value
/// (NULL in every nullable kind, empty and control-character text, unicode, quotes and backslashes,
/// whole-second and microsecond timestamps, infinities, extreme integers, doubles and decimals, text
/// that is not JSON in JSON columns).
/// </summary>
public sealed class EdgeValuesPostgreSql : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string ConnectionString { get; private set; } = "";

    public DatabaseSettings Settings => new(DatabaseProvider.PostgreSql, ConnectionString);

    public async Task<EdgeValuesPostgreSql> EnsureAsync()
    {
        await PostgreSqlServer.RequireAsync();
        await _gate.WaitAsync();
        try
        {
            if (ConnectionString.Length == 0)
            {
                var connectionString = await PostgreSqlServer.CreateDatabaseAsync("edges");
                await using var db = new DatabaseSettings(DatabaseProvider.PostgreSql, connectionString).CreateContext();
                await db.MigrateAsync();
                await DemoDataGenerator.SeedAsync(db, SupportSignal.Testing.DemoSets.Small);
                db.ChangeTracker.Clear();
                var company = await db.Set<Company>().OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
                var user = await db.Set<User>().OrderBy(u => u.Id).Select(u => u.Id).FirstAsync();
                db.AddRange(FastRowPathTests.EdgeRows(company, user));
                await db.SaveChangesAsync();
                ConnectionString = connectionString;
            }

            return this;
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (ConnectionString.Length > 0)
        {
            await PostgreSqlServer.DropDatabaseAsync(ConnectionString);
        }
    }
}

/// <summary>
/// The PostgreSQL fast row path (binary COPY parsed by the engine) is what reads every table, on one
/// connection and on several, and writes the very bytes the generic data reader path writes.
/// </summary>
public sealed class FastRowPathTests(EdgeValuesPostgreSql database) : IClassFixture<EdgeValuesPostgreSql>
{
    private static readonly string[] EdgeTables = ["ai_prompts", "ai_request_logs", "companies", "debug_logs", "export_audit", "participants"];

    [Fact]
    public async Task Every_table_is_read_by_the_copy_path_serially_and_in_parallel_and_the_bytes_match_the_data_reader()
    {
        await database.EnsureAsync();
        var (generic, genericSummary) = await ExportAsync(new ExportRequest(), fastPath: false, parallelism: 1);
        var (serial, serialSummary) = await ExportAsync(new ExportRequest(), fastPath: true, parallelism: 1);
        var (parallel, parallelSummary) = await ExportAsync(new ExportRequest(), fastPath: true, parallelism: 3);

        var tables = serialSummary.RecordCounts.Count;
        Assert.True(tables > 10, $"a full export should hold every table, not {tables}");
        Assert.Equal(0, genericSummary.FastPathTables);
        Assert.Equal(tables, serialSummary.FastPathTables);
        Assert.Equal(1, serialSummary.Readers);
        Assert.Equal(tables, parallelSummary.FastPathTables);
        Assert.Equal(3, parallelSummary.Readers);
        Assert.True(generic.AsSpan().SequenceEqual(serial), ParallelExportTests.FirstDifference(generic, serial, "data reader", "copy path"));
        Assert.True(generic.AsSpan().SequenceEqual(parallel), ParallelExportTests.FirstDifference(generic, parallel, "data reader", "parallel copy"));
    }

    [Fact]
    public async Task Edge_values_of_every_kind_are_written_byte_for_byte_as_the_data_reader_writes_them()
    {
        await database.EnsureAsync();
        var request = new ExportRequest { Tables = EdgeTables };
        var (generic, _) = await ExportAsync(request, fastPath: false);
        var (fast, summary) = await ExportAsync(request, fastPath: true);

        Assert.Equal(summary.RecordCounts.Count, summary.FastPathTables);
        Assert.Superset(EdgeTables.ToHashSet(), summary.RecordCounts.Keys.ToHashSet());
        Assert.True(generic.AsSpan().SequenceEqual(fast), ParallelExportTests.FirstDifference(generic, fast, "data reader", "copy path"));

        // The edge rows are there, written as a reader of the file expects them.
        using var document = JsonDocument.Parse(fast);
        var data = document.RootElement.GetProperty("data");
        var logs = Rows(data, "ai_request_logs").Where(r => r.GetProperty("operation").GetString() == "fast_edge").ToList();
        Assert.Equal(["999999999999.999999", "-999999999999.999999", "0.000001", "-0.000001", "0.0", "100000000.0", "-1234.5", "null"],
            logs.Select(r => r.GetProperty("cost_usd").GetRawText()));
        Assert.Equal(["2025-02-03T04:05:06Z", "2025-02-03T04:05:07.123456Z", "2025-02-03T04:05:08.1Z"],
            logs.Take(3).Select(r => r.GetProperty("created_at").GetString()));
        Assert.Equal([int.MaxValue, int.MinValue], logs.Take(2).Select(r => r.GetProperty("tokens_used").GetInt32()));
        Assert.Equal(JsonValueKind.Object, logs[0].GetProperty("input_data").ValueKind);
        Assert.Equal(["not json {", "", "  ", "{\"a\": 1} trailing"], logs.Skip(1).Take(4).Select(r => r.GetProperty("input_data").GetString()));
        Assert.All(logs[^1].EnumerateObject().Where(p => p.Name is not ("id" or "correlation_id" or "operation" or "model" or "success" or "created_at")),
            p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));

        var prompts = Rows(data, "ai_prompts").Where(r => r.GetProperty("prompt_name").GetString()!.StartsWith("fast_edge", StringComparison.Ordinal)).ToList();
        Assert.Equal(Texts, prompts.Select(p => p.GetProperty("description").GetString()));
        Assert.Equal("1.7976931348623157E+308", prompts[0].GetProperty("temperature").GetRawText());
        Assert.Equal("9999-12-31T23:59:59.9999999Z", prompts[1].GetProperty("replaced_at").GetString());
        Assert.Equal("0001-01-01T00:00:00Z", prompts[2].GetProperty("replaced_at").GetString());

        var audits = Rows(data, "export_audit").Where(r => r.GetProperty("correlation_id").GetString()!.StartsWith("fast-edge", StringComparison.Ordinal)).ToList();
        Assert.Equal(["9223372036854775807", "-9223372036854775808", "null"], audits.Select(a => a.GetProperty("bytes").GetRawText()));

        var people = Rows(data, "participants").Where(r => r.GetProperty("last_name").GetString() == "Fast-Edge").ToList();
        Assert.Equal(["0001-01-01", "9999-12-31", "2000-01-01", "1999-12-31"], people.Select(p => p.GetProperty("date_of_birth").GetString()));
    }

    [Fact]
    public async Task A_parquet_export_read_by_the_copy_path_writes_the_files_the_data_reader_writes()
    {
        await database.EnsureAsync();
        foreach (var deidentify in new[] { false, true })
        {
            var request = new ExportRequest { Tables = EdgeTables, Format = ExportFormat.Parquet, Deidentify = deidentify };
            var (generic, _) = await ExportAsync(request, fastPath: false);
            var (fast, summary) = await ExportAsync(request, fastPath: true);

            Assert.Equal(summary.RecordCounts.Count, summary.FastPathTables);
            var genericFiles = SupportSignal.Testing.ParquetFiles.ZipEntries(generic);
            var fastFiles = SupportSignal.Testing.ParquetFiles.ZipEntries(fast);
            Assert.Equal(genericFiles.Keys, fastFiles.Keys);
            Assert.Contains("tables/ai_request_logs.parquet", fastFiles.Keys);
            Assert.All(genericFiles, file => Assert.True(file.Value.AsSpan().SequenceEqual(fastFiles[file.Key]),
                $"{file.Key} (de-identified: {deidentify}) differs between the data reader and the copy path"));
        }
    }

    [Fact]
    public async Task A_deidentified_export_and_a_segment_read_by_the_copy_path_match_the_data_reader_byte_for_byte()
    {
        await database.EnsureAsync();
        var (full, _) = await ExportAsync(new ExportRequest(), fastPath: true);
        using var document = JsonDocument.Parse(full);
        var company = Guid.Parse(Rows(document.RootElement.GetProperty("data"), "companies")[1].GetProperty("id").GetString()!);
        ExportRequest[] requests =
        [
            new() { Deidentify = true },
            new() { Companies = [company], From = new DateOnly(2024, 6, 1), To = new DateOnly(2025, 6, 30) },
            new() { Companies = [company], Deidentify = true, Closure = false },
        ];

        foreach (var request in requests)
        {
            var (generic, _) = await ExportAsync(request, fastPath: false);
            var (fast, summary) = await ExportAsync(request, fastPath: true);

            Assert.Equal(summary.RecordCounts.Count, summary.FastPathTables);
            Assert.True(generic.AsSpan().SequenceEqual(fast), ParallelExportTests.FirstDifference(generic, fast, "data reader", "copy path"));
        }
    }

    [Fact]
    public async Task Cancelling_mid_table_stops_the_copy_and_leaves_the_connection_usable()
    {
        await database.EnsureAsync();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var db = database.Settings.CreateContext();
        var service = new ExportService(db, options: new ExportEngineOptions { Parallelism = 1 });
        // Rows reach the output in 64 KB flushes from inside a table's row loop: the first one past 64 KB
        // lands while a COPY is sending, and cancels there.
        var output = new CancelAfter(64 * 1024, cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            service.ExportAsync(new ExportRequest(), output, cancel.Token));
        Assert.True(output.Cancelled, "the export should have been cancelled mid-table");

        // The server ended the COPY: no session of this database is still sending rows.
        await using var admin = new NpgsqlConnection(database.ConnectionString);
        await admin.OpenAsync(TestContext.Current.CancellationToken);
        await using var copying = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY (%' AND pid <> pg_backend_pid()",
            admin);
        Assert.Equal(0L, (long)(await copying.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);

        var (after, summary) = await ExportAsync(new ExportRequest { Tables = ["companies"] }, fastPath: true);
        Assert.Equal(summary.RecordCounts.Count, summary.FastPathTables);
        Assert.Contains("\"companies\":[{", Encoding.UTF8.GetString(after));
    }

    [Fact]
    public async Task A_table_with_a_column_type_the_copy_path_does_not_decode_goes_through_the_data_reader()
    {
        await PostgreSqlServer.RequireAsync();
        var connectionString = await PostgreSqlServer.CreateDatabaseAsync("json");
        try
        {
            var settings = new DatabaseSettings(DatabaseProvider.PostgreSql, connectionString);
            await using (var db = settings.CreateContext())
            {
                await db.MigrateAsync();
                db.AddRange(EdgeRows(Guid.Empty, Guid.Empty).OfType<DebugLog>());
                db.Add(new DebugLog { Id = Guid.Parse("0fd00000-0000-7000-8000-000000000002"), Message = "m", Context = "{\"b\": [1, 2.50], \"a\": \"é\"}", Timestamp = DateTime.UnixEpoch });
                await db.SaveChangesAsync();
            }

            // A database whose JSON text column became json (a type the copy path does not decode).
            await PostgreSqlServer.ScalarAsync(connectionString, "ALTER TABLE debug_logs ALTER COLUMN context TYPE json USING context::json");
            var request = new ExportRequest { Tables = ["companies", "debug_logs"] };
            var (generic, _) = await ExportAsync(settings, request, fastPath: false);
            var (fast, summary) = await ExportAsync(settings, request, fastPath: true);

            // Every table but debug_logs (companies, and the closure's users) still goes through the copy path.
            Assert.Contains("debug_logs", summary.RecordCounts.Keys);
            Assert.True(summary.RecordCounts.Count >= 2);
            Assert.Equal(summary.RecordCounts.Count - 1, summary.FastPathTables);
            Assert.True(generic.AsSpan().SequenceEqual(fast), ParallelExportTests.FirstDifference(generic, fast, "data reader", "copy path"));
            Assert.Contains("\"context\":{\"b\": [1, 2.50], \"a\": \"é\"}", Encoding.UTF8.GetString(fast));
        }
        finally
        {
            await PostgreSqlServer.DropDatabaseAsync(connectionString);
        }
    }

    private Task<(byte[] Bytes, ExportSummary Summary)> ExportAsync(ExportRequest request, bool fastPath, int parallelism = 1) =>
        ExportAsync(database.Settings, request, fastPath, parallelism);

    private static async Task<(byte[] Bytes, ExportSummary Summary)> ExportAsync(DatabaseSettings settings, ExportRequest request, bool fastPath, int parallelism = 1)
    {
        await using var db = settings.CreateContext();
        using var output = new MemoryStream();
        var options = new ExportEngineOptions { UseSqliteFastPath = fastPath, Parallelism = parallelism, PseudonymKey = TwinDatabases.PseudonymKey };
        var summary = await new ExportService(db, new FixedClock(), options).ExportAsync(request, output, TestContext.Current.CancellationToken);
        return (output.ToArray(), summary);
    }

    private static List<JsonElement> Rows(JsonElement data, string table) => data.GetProperty(table).EnumerateArray().ToList();

    private static readonly string[] Texts =
    [
        "",
        "Zoë Nguyễn 😀 中文 \u2028 \u00a0",
        "control \u0001\u001f\t\n\r end",
        "quote \" backslash \\ slash / </script> & ' <>",
    ];

    internal static IEnumerable<object> EdgeRows(Guid company, Guid user)
    {
        var instant = new DateTime(2025, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        DateTime[] times = [instant, instant.AddSeconds(1).AddTicks(1_234_560), instant.AddSeconds(2).AddTicks(1_000_000)];
        decimal?[] costs = [999999999999.999999m, -999999999999.999999m, 0.000001m, -0.000001m, 0m, 100000000m, -1234.5m, null];
        string?[] inputs = ["{\"b\": 1,  \"a\": [1, 2.50, \"Zoë\", {\"nested\": null}, \"\\u00e9\"]}", "not json {", "", "  ", "{\"a\": 1} trailing", "[]", " 42 ", null];
        for (var i = 0; i < costs.Length; i++)
        {
            var last = i == costs.Length - 1;
            yield return new AiRequestLog
            {
                Id = Guid.Parse($"0fa00000-0000-7000-8000-00000000000{i}"),
                CorrelationId = $"fast-edge-{i}",
                Operation = "fast_edge",
                Model = i == 2 ? "" : "test-model",
                PromptName = last ? null : Texts[i % Texts.Length],
                InputData = inputs[i],
                OutputData = last ? null : inputs[(i + 1) % (inputs.Length - 1)],
                ProcessingTimeMs = last ? null : i,
                TokensUsed = last ? null : i switch { 0 => int.MaxValue, 1 => int.MinValue, _ => -i },
                CostUsd = costs[i],
                Success = i % 2 == 0,
                ErrorMessage = last ? null : Texts[(i + 1) % Texts.Length],
                UserId = last ? null : user,
                IncidentId = null,
                CreatedAt = i < times.Length ? times[i] : instant.AddDays(i),
            };
        }

        double?[] doubles = [double.MaxValue, -double.Epsilon, 0.1, -1e-300];
        DateTime?[] replaced = [instant, DateTime.MaxValue, DateTime.MinValue, null];
        for (var i = 0; i < Texts.Length; i++)
        {
            yield return new AiPrompt
            {
                Id = Guid.Parse($"0fb00000-0000-7000-8000-00000000000{i}"),
                PromptName = $"fast_edge_{i}",
                PromptVersion = "v1",
                PromptTemplate = Texts[(i + 2) % Texts.Length],
                Description = Texts[i],
                WorkflowStep = i == 3 ? null : "",
                Subsystem = i == 3 ? null : "s",
                AiModel = i == 3 ? null : "m",
                MaxTokens = i == 3 ? null : int.MinValue + i,
                Temperature = doubles[i],
                IsActive = i % 2 == 1,
                CreatedAt = times[i % times.Length],
                CreatedBy = i == 3 ? null : user,
                ReplacedAt = replaced[i],
                UsageCount = int.MaxValue - i,
                AverageResponseTimeMs = i == 3 ? null : -0.0,
                SuccessRate = i == 3 ? null : 1.0 / 3,
            };
        }

        long?[] bytes = [long.MaxValue, long.MinValue, null];
        for (var i = 0; i < bytes.Length; i++)
        {
            yield return new ExportAudit
            {
                Id = Guid.Parse($"0fc00000-0000-7000-8000-00000000000{i}"),
                UserId = i == 2 ? null : user,
                Source = ExportSource.Cli,
                StartedAt = times[i],
                FinishedAt = i == 2 ? null : times[i].AddMinutes(1),
                Outcome = ExportOutcome.Succeeded,
                Format = "json",
                Filters = i == 1 ? "not json" : "{\"tables\": [\"a\", \"b\"]}",
                RecordCounts = i == 2 ? null : "{}",
                TotalRecords = i == 2 ? null : -1,
                Bytes = bytes[i],
                DurationMs = i == 2 ? null : 0,
                CorrelationId = $"fast-edge-{i}",
                ErrorCode = i == 2 ? null : "",
            };
        }

        yield return new DebugLog
        {
            Id = Guid.Parse("0fd00000-0000-7000-8000-000000000001"),
            System = DebugSystem.Manual,
            Level = DebugLevel.Error,
            Message = Texts[2],
            Context = null,
            Stack = null,
            TraceId = null,
            UserId = null,
            Timestamp = instant,
        };

        DateOnly[] births = [DateOnly.MinValue, DateOnly.MaxValue, new(2000, 1, 1), new(1999, 12, 31)];
        for (var i = 0; i < births.Length; i++)
        {
            yield return new Participant
            {
                Id = Guid.Parse($"0fe00000-0000-7000-8000-00000000000{i}"),
                CompanyId = company,
                FirstName = Texts[i].Length == 0 ? "Édith" : Texts[i],
                LastName = "Fast-Edge",
                DateOfBirth = births[i],
                NdisNumber = i == 0 ? null : $"43{i:D7}",
                ContactPhone = null,
                EmergencyContact = i == 1 ? "" : null,
                CareNotes = i == 2 ? Texts[3] : null,
                SupportLevel = SupportLevel.Low,
                Status = ParticipantStatus.Active,
                CreatedAt = times[i % times.Length],
                CreatedBy = user,
                UpdatedAt = i == 0 ? null : DateTime.MaxValue,
                UpdatedBy = null,
            };
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    }

    /// <summary>An output that cancels the export once it has taken more than a number of bytes.</summary>
    private sealed class CancelAfter(long bytes, CancellationTokenSource cancel) : Stream
    {
        private long _written;

        public bool Cancelled { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _written += count;
            if (_written > bytes && !Cancelled)
            {
                Cancelled = true;
                cancel.Cancel();
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.DemoData;
using SupportSignal.Export;

namespace SupportSignal.PostgreSqlTests;

/// <summary>
/// The same data in a SQLite file and in a PostgreSQL database, both made by the real migrations:
/// the seeded demo set (deterministic ids and values) plus rows at the edges of each type (a
/// microsecond fraction, decimals of every scale, JSON text kept verbatim or not JSON at all).
/// </summary>
public sealed class TwinDatabases : IAsyncDisposable
{
    public const string PseudonymKey = "postgresql-equality-tests-fixed-key";

    public static DemoDataOptions Demo => SupportSignal.Testing.DemoSets.Small;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _ready;

    public string SqlitePath { get; } = Path.Combine(Path.GetTempPath(), $"supportsignal-pg-twin-{Guid.NewGuid():N}.db");

    public string PostgreSqlConnectionString { get; private set; } = "";

    public DatabaseSettings Sqlite => new(DatabaseProvider.Sqlite, $"Data Source={SqlitePath};Pooling=False");

    public DatabaseSettings PostgreSql => new(DatabaseProvider.PostgreSql, PostgreSqlConnectionString);

    /// <summary>Creates and fills both databases once; skips (or in CI fails) when no server is reachable.</summary>
    public async Task EnsureAsync()
    {
        await PostgreSqlServer.RequireAsync();
        await _gate.WaitAsync();
        try
        {
            if (_ready)
            {
                return;
            }

            PostgreSqlConnectionString = await PostgreSqlServer.CreateDatabaseAsync("twin");
            foreach (var settings in new[] { Sqlite, PostgreSql })
            {
                await using var db = settings.CreateContext();
                await db.MigrateAsync();
                await DemoDataGenerator.SeedAsync(db, Demo);
                db.ChangeTracker.Clear();
                db.AddRange(EdgeRows());
                await db.SaveChangesAsync();
            }

            _ready = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Exports with the real engine at a fixed clock and pseudonym key.</summary>
    public static async Task<byte[]> ExportAsync(DatabaseSettings settings, ExportRequest request, ExportEngineOptions? options = null)
    {
        await using var db = settings.CreateContext();
        using var output = new MemoryStream();
        await new ExportService(db, new FixedClock(), options ?? new ExportEngineOptions { PseudonymKey = PseudonymKey })
            .ExportAsync(request, output, TestContext.Current.CancellationToken);
        return output.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        if (PostgreSqlConnectionString.Length > 0)
        {
            await PostgreSqlServer.DropDatabaseAsync(PostgreSqlConnectionString);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(SqlitePath);
    }

    // Same ids and values in both databases.
    private static IEnumerable<object> EdgeRows()
    {
        var instant = new DateTime(2025, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(1_234_560);
        decimal?[] costs = [1.5m, 2m, 0.000001m, 123456789012.123456m, -0.25m, 0m, null];
        for (var i = 0; i < costs.Length; i++)
        {
            yield return new AiRequestLog
            {
                Id = Guid.Parse($"0f000000-0000-7000-8000-00000000000{i}"),
                CorrelationId = $"edge-{i}",
                Operation = "edge_case",
                Model = "test-model",
                InputData = i % 2 == 0 ? "{\"b\": 1,  \"a\": [1, 2.50, \"Zoë Nguyễn\", {\"nested\": null}]}" : "not json {",
                OutputData = i == 0 ? "[]" : null,
                CostUsd = costs[i],
                Success = i % 3 == 0,
                CreatedAt = instant.AddSeconds(i),
            };
        }

        yield return new DebugLog
        {
            Id = Guid.Parse("0f000000-0000-7000-8000-0000000000d1"),
            System = DebugSystem.Server,
            Level = DebugLevel.Warn,
            Message = "Tab\tnewline\nquote\" backslash\\ emoji 😀",
            Context = "  {\"z\": 1e3, \"a\": \"\\u00e9\"}  ",
            Timestamp = new DateTime(2024, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990),
        };
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    }
}

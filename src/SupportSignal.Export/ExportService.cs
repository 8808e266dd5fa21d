using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

using SupportSignal.Data;
using SupportSignal.Export.Catalog;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export;

/// <summary>Engine switches; the defaults are what production uses.</summary>
public sealed record ExportEngineOptions
{
    /// <summary>On SQLite, hand the database's UTF-8 bytes straight to the writer (byte-identical to the generic path).</summary>
    public bool UseSqliteFastPath { get; init; } = true;
}

/// <summary>
/// Streams the database as one metadata-plus-data JSON document (docs/export-format.md), read
/// from a single snapshot, secrets never read. Knows nothing of ASP.NET: it writes to a Stream.
/// </summary>
public sealed class ExportService(SupportSignalDbContext db, TimeProvider? timeProvider = null, ExportEngineOptions? options = null)
{
    public const int FormatVersion = 1;

    private static readonly ConditionalWeakTable<IModel, ExportCatalog> _catalogs = new();
    private static readonly JsonWriterOptions _writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ExportEngineOptions _options = options ?? new ExportEngineOptions();

    public ExportCatalog Catalog => _catalogs.GetValue(db.Model, ExportCatalog.FromModel);

    /// <summary>Checks the request and decides which tables go out and which stay out, and why.</summary>
    public ExportSelection Select(ExportRequest request) => ExportSelection.Resolve(Catalog, request);

    public async Task<ExportSummary> ExportAsync(ExportRequest request, Stream output, CancellationToken cancellationToken = default)
    {
        var selection = Select(request);
        var stopwatch = Stopwatch.StartNew();
        var exportedAt = _time.GetUtcNow().UtcDateTime;
        var sql = db.GetService<ISqlGenerationHelper>();
        string delimit(string name) => sql.DelimitIdentifier(name);
        var plans = selection.Included.Select(t => new TablePlan(t, delimit)).ToList();

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await BeginSnapshotAsync(connection, cancellationToken);
            await db.Database.UseTransactionAsync(transaction, cancellationToken);
            try
            {
                var latestMigration = await db.LatestAppliedMigrationAsync(cancellationToken);
                var counts = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var plan in plans)
                {
                    counts[plan.Table.Name] = await CountAsync(connection, transaction, plan, cancellationToken);
                }

                await using var writer = new Utf8JsonWriter(output, _writerOptions);
                var jsonOutput = new JsonOutput(writer);
                writer.WriteStartObject();
                MetadataWriter.Write(writer, new DocumentMetadata(
                    exportedAt, request.ExportedBy, ProviderName(db.Provider), latestMigration, selection, counts, ApplicationVersion));

                IRowSource rows = _options.UseSqliteFastPath && connection is SqliteConnection sqlite
                    ? new SqliteRowSource(sqlite)
                    : new DataReaderRowSource(connection, transaction);
                writer.WriteStartObject("data");
                foreach (var plan in plans)
                {
                    writer.WriteStartArray(plan.Table.Name);
                    var written = await rows.WriteRowsAsync(plan, jsonOutput, cancellationToken);
                    writer.WriteEndArray();
                    if (written != counts[plan.Table.Name])
                    {
                        throw new InvalidOperationException(
                            $"{plan.Table.Name}: {written} rows streamed but {counts[plan.Table.Name]} counted in the same snapshot.");
                    }
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                await writer.FlushAsync(cancellationToken);
                return new ExportSummary(counts, counts.Values.Sum(), writer.BytesCommitted, stopwatch.Elapsed);
            }
            finally
            {
                await db.Database.UseTransactionAsync(null, CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public static string ApplicationVersion { get; } =
        typeof(ExportService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    internal static string ProviderName(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "sqlite",
        DatabaseProvider.SqlServer => "sqlserver",
        _ => provider.ToString().ToLowerInvariant(),
    };

    // SQLite: a deferred read transaction (WAL keeps writers going; IMMEDIATE would block them).
    // SQL Server: SNAPSHOT isolation, enabled on the database by a migration.
    private static async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(IsolationLevel.Serializable, deferred: true)
            : await connection.BeginTransactionAsync(IsolationLevel.Snapshot, cancellationToken);

    private static async Task<long> CountAsync(DbConnection connection, DbTransaction transaction, TablePlan plan, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = plan.CountSql;
        command.CommandTimeout = 0;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.IO.Compression;
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
using SupportSignal.Export.Deidentification;
using SupportSignal.Export.Segmentation;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export;

/// <summary>Engine switches; the defaults are what production uses.</summary>
public sealed record ExportEngineOptions
{
    /// <summary>On SQLite, hand the database's UTF-8 bytes straight to the writer (byte-identical to the generic path).</summary>
    public bool UseSqliteFastPath { get; init; } = true;

    /// <summary>
    /// Export:PseudonymKey: a secret that makes de-identified pseudonyms the same across exports.
    /// Null gives every export a fresh random key, so two exports cannot be linked.
    /// </summary>
    public string? PseudonymKey { get; init; }

    // The key must never reach a log line through the record's generated ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"UseSqliteFastPath = {UseSqliteFastPath}, PseudonymKey = {(PseudonymKey is null ? "none" : "(set)")}");
        return true;
    }
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

    public Task<ExportSummary> ExportAsync(ExportRequest request, Stream output, CancellationToken cancellationToken = default) =>
        ExportAsync(request, output, progress: null, cancellationToken);

    /// <summary>
    /// Writes the export, reporting to <paramref name="progress"/> (synchronously, on the exporting
    /// thread) at each table's start, at most every <c>100 ms</c> while rows stream, and at the end.
    /// </summary>
    public async Task<ExportSummary> ExportAsync(
        ExportRequest request, Stream output, IProgress<ExportProgress>? progress, CancellationToken cancellationToken = default)
    {
        var selection = Select(request);
        var stopwatch = Stopwatch.StartNew();
        var counted = new CountingStream(output);

        await using var snapshot = await Snapshot.OpenAsync(db, _options, cancellationToken);
        var (plans, metadata) = await PrepareAsync(snapshot, request, selection, cancellationToken);
        var reporter = progress is null ? null : new ProgressReporter(progress, counted, metadata.Counts, stopwatch);
        switch (request.Format)
        {
            case ExportFormat.JsonGz:
                await using (var gzip = new GZipStream(counted, CompressionLevel.Fastest, leaveOpen: true))
                {
                    await WriteDocumentAsync(snapshot, gzip, metadata, plans, cancellationToken, reporter);
                }

                break;
            case ExportFormat.Zip:
                await WriteZipAsync(snapshot, counted, metadata, plans, cancellationToken, reporter);
                break;
            default:
                await WriteDocumentAsync(snapshot, counted, metadata, plans, cancellationToken, reporter);
                break;
        }

        await counted.FlushAsync(cancellationToken);
        reporter?.Finished();
        return new ExportSummary(metadata.Counts, metadata.Counts.Values.Sum(), counted.BytesWritten, stopwatch.Elapsed);
    }

    /// <summary>
    /// Counts the rows the request would export and estimates the file size in every format: the
    /// first rows of each table go through the real writer (and compressors) and are scaled by the counts.
    /// </summary>
    public async Task<ExportPreview> PreviewAsync(ExportRequest request, CancellationToken cancellationToken = default) =>
        (await PreviewAsync([request], cancellationToken))[0];

    /// <summary>
    /// Several previews from one snapshot (the export page: the full export and the chosen segment),
    /// each with the estimated size of every format. At most one of them may be segmented.
    /// </summary>
    public async Task<IReadOnlyList<ExportPreview>> PreviewAsync(IReadOnlyList<ExportRequest> requests, CancellationToken cancellationToken = default)
    {
        var selections = requests.Select(Select).ToList();
        if (selections.Count(s => s.Segment is not null) > 1)
        {
            throw new ArgumentException("At most one segmented request per preview: a segment's key tables live in the snapshot.", nameof(requests));
        }

        await using var snapshot = await Snapshot.OpenAsync(db, _options, cancellationToken);
        var previews = new List<ExportPreview>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            previews.Add(await EstimateAsync(snapshot, requests[i], selections[i], cancellationToken));
        }

        return previews;
    }

    private async Task<ExportPreview> EstimateAsync(Snapshot snapshot, ExportRequest request, ExportSelection selection, CancellationToken cancellationToken)
    {
        const int SampleRows = 200;
        var (plans, metadata) = await PrepareAsync(snapshot, request, selection, cancellationToken);

        var samples = plans.Select(p => p.FirstRows(SampleRows, db.Provider)).ToList();
        var sampleRows = new Dictionary<string, long>(StringComparer.Ordinal);
        var json = new CountingStream(Stream.Null);
        long estimate;
        await using (var writer = new Utf8JsonWriter(json, _writerOptions))
        {
            var output = JsonOutput.Document(writer);
            writer.WriteStartObject();
            MetadataWriter.Write(writer, metadata);
            writer.WriteStartObject("data");
            await writer.FlushAsync(cancellationToken);
            estimate = json.BytesWritten;
            foreach (var plan in samples)
            {
                var before = json.BytesWritten + writer.BytesPending;
                writer.WriteStartArray(plan.Table.Name);
                var rows = await snapshot.Rows.WriteRowsAsync(plan, output, cancellationToken);
                writer.WriteEndArray();
                await writer.FlushAsync(cancellationToken);
                var bytes = json.BytesWritten - before;
                sampleRows[plan.Table.Name] = rows;
                var count = metadata.Counts[plan.Table.Name];
                estimate += rows == 0 ? bytes : bytes + ((bytes - TableFraming(plan)) * (count - rows) / rows);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken);
            estimate += 2;
        }

        // Compressed size scales with how well the sample itself compresses in that format.
        var estimates = new Dictionary<ExportFormat, long> { [ExportFormat.Json] = estimate };
        var sampleMetadata = metadata with { Counts = sampleRows };
        foreach (var format in new[] { ExportFormat.JsonGz, ExportFormat.Zip })
        {
            var compressed = new CountingStream(Stream.Null);
            if (format == ExportFormat.Zip)
            {
                await WriteZipAsync(snapshot, compressed, sampleMetadata, samples, cancellationToken);
            }
            else
            {
                await using var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true);
                await WriteDocumentAsync(snapshot, gzip, sampleMetadata, samples, cancellationToken);
            }

            estimates[format] = (long)(estimate * ((double)compressed.BytesWritten / Math.Max(1, json.BytesWritten)));
        }

        return new ExportPreview(selection, metadata.Counts, metadata.Counts.Values.Sum(), estimates[request.Format], estimates)
        {
            StubCounts = metadata.StubCounts,
        };
    }

    /// <summary>
    /// Every SQL statement an export of this request runs, in order, without running any: for
    /// checking the SQL of a provider that cannot run here (SQL Server) and for troubleshooting.
    /// </summary>
    internal IReadOnlyList<string> DescribeSql(ExportRequest request)
    {
        var selection = Select(request);
        var statements = new List<string>();
        if (SegmentSql(selection) is { } segment)
        {
            statements.AddRange(segment.ValidationStatements());
            statements.AddRange(segment.ChooseStatements());
            statements.AddRange(segment.ClosureStatements());
            statements.AddRange(segment.TenantStatements());
        }

        foreach (var plan in Plans(selection, deidentifier: null))
        {
            statements.Add(plan.CountSql);
            statements.AddRange(plan.StubCountSql is { } stubs ? [stubs] : []);
            statements.Add(plan.Sql);
            statements.Add(plan.FirstRows(200, db.Provider).Sql);
        }

        return statements;
    }

    // `"name":[` and `]`, which a table has once whatever its row count.
    private static long TableFraming(TablePlan plan) => plan.Table.Name.Length + 5;

    private List<TablePlan> Plans(ExportSelection selection, Deidentifier? deidentifier)
    {
        var segment = SegmentSql(selection);
        return selection.Included
            .Select(t => (Table: t, Segment: selection.Segment?.Tables.First(s => s.Table == t)))
            .Select(t => new TablePlan(
                t.Table, Delimit, t.Segment is null ? null : segment!.RowFilter(t.Segment),
                deidentifier?.TransformsFor(t.Table),
                t.Segment is null ? null : segment!.Stubs(t.Segment, selection.Request.Deidentify)))
            .ToList();
    }

    private string Delimit(string name) => db.GetService<ISqlGenerationHelper>().DelimitIdentifier(name);

    private SegmentSql? SegmentSql(ExportSelection selection) =>
        selection.Segment is { } plan ? new SegmentSql(plan, Delimit, Literal, db.Provider) : null;

    // A SQL literal exactly as the model stores the column's values (SQLite keeps GUIDs as upper-case text).
    private string Literal(string table, string column, object value)
    {
        var entity = db.Model.GetEntityTypes().First(e => e.GetTableName() == table);
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var property = entity.GetProperties().First(p => p.GetColumnName(store) == column);
        return property.GetRelationalTypeMapping().GenerateSqlLiteral(value);
    }

    // Inside the snapshot: choose a segment's rows, learn the people to de-identify, count.
    private async Task<(List<TablePlan> Plans, DocumentMetadata Metadata)> PrepareAsync(
        Snapshot snapshot, ExportRequest request, ExportSelection selection, CancellationToken cancellationToken)
    {
        if (SegmentSql(selection) is { } segment)
        {
            await snapshot.ChooseRowsAsync(segment, cancellationToken);
        }

        var deidentifier = request.Deidentify
            ? await Deidentifier.CreateAsync(Catalog, _options.PseudonymKey, snapshot.QueryAsync, Delimit, cancellationToken)
            : null;
        var plans = Plans(selection, deidentifier);
        var latestMigration = await db.LatestAppliedMigrationAsync(cancellationToken);
        var expected = db.Database.GetMigrations().LastOrDefault();
        if (latestMigration != expected)
        {
            throw new ExportSchemaException(latestMigration, expected);
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var stubs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            counts[plan.Table.Name] = await snapshot.CountAsync(plan.CountSql, cancellationToken);
            stubs[plan.Table.Name] = plan.StubCountSql is { } stubSql ? await snapshot.CountAsync(stubSql, cancellationToken) : 0;
        }

        var privacy = deidentifier is null ? null : new DeidentificationSummary(
            deidentifier.KeyConfigured, Deidentifier.Describe(selection.Included).ToList());
        return (plans, new DocumentMetadata(
            _time.GetUtcNow().UtcDateTime, request.ExportedBy, ProviderName(db.Provider), latestMigration, selection, counts, ApplicationVersion, privacy)
        {
            StubCounts = stubs,
        });
    }

    private static async Task WriteDocumentAsync(
        Snapshot snapshot, Stream stream, DocumentMetadata metadata, List<TablePlan> plans, CancellationToken cancellationToken,
        ProgressReporter? progress = null)
    {
        await using var writer = new Utf8JsonWriter(stream, _writerOptions);
        var output = JsonOutput.Document(writer, progress);
        writer.WriteStartObject();
        MetadataWriter.Write(writer, metadata);
        writer.WriteStartObject("data");
        foreach (var plan in plans)
        {
            progress?.BeginTable(plan.Table.Name);
            writer.WriteStartArray(plan.Table.Name);
            CheckCount(plan, metadata, await snapshot.Rows.WriteRowsAsync(plan, output, cancellationToken));
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    // metadata.json holds {"metadata": {...}}, so jq paths are the same as in the single document.
    private static async Task WriteZipAsync(
        Snapshot snapshot, Stream stream, DocumentMetadata metadata, List<TablePlan> plans, CancellationToken cancellationToken,
        ProgressReporter? progress = null)
    {
        // The zip writer closes entries with small synchronous writes; hold those for the next async one.
        var target = new AsyncOnlyWriteStream(stream);
        await using (var zip = new ZipArchive(target, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var entry = await zip.CreateEntry("metadata.json", CompressionLevel.Fastest).OpenAsync(cancellationToken))
            await using (var writer = new Utf8JsonWriter(entry, _writerOptions))
            {
                writer.WriteStartObject();
                MetadataWriter.Write(writer, metadata);
                writer.WriteEndObject();
                await writer.FlushAsync(cancellationToken);
            }

            foreach (var plan in plans)
            {
                progress?.BeginTable(plan.Table.Name);
                await using var entry = await zip.CreateEntry($"tables/{plan.Table.Name}.jsonl", CompressionLevel.Fastest).OpenAsync(cancellationToken);
                var output = JsonOutput.Lines(entry, _writerOptions, progress);
                CheckCount(plan, metadata, await snapshot.Rows.WriteRowsAsync(plan, output, cancellationToken));
                await output.FlushAsync(cancellationToken);
            }
        }

        await target.FlushAsync(cancellationToken);
    }

    private static void CheckCount(TablePlan plan, DocumentMetadata metadata, long written)
    {
        var counted = metadata.Counts[plan.Table.Name];
        if (written != counted)
        {
            throw new InvalidOperationException($"{plan.Table.Name}: {written} rows streamed but {counted} counted in the same snapshot.");
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

    /// <summary>
    /// The connection and read transaction every count and row of one export comes from.
    /// SQLite: a deferred read transaction (WAL keeps writers going; IMMEDIATE would block them).
    /// SQL Server: SNAPSHOT isolation, enabled on the database by a migration.
    /// </summary>
    private sealed class Snapshot : IAsyncDisposable
    {
        private readonly SupportSignalDbContext _db;
        private readonly DbConnection _connection;
        private readonly DbTransaction _transaction;

        private Snapshot(SupportSignalDbContext db, DbTransaction transaction, IRowSource rows)
        {
            _db = db;
            _connection = transaction.Connection!;
            _transaction = transaction;
            Rows = rows;
        }

        /// <summary>The SQLite fast path where it applies (de-identified or not), else the data reader.</summary>
        public IRowSource Rows { get; }

        public async Task QueryAsync(string sql, Action<DbDataReader> each, CancellationToken cancellationToken)
        {
            await using var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = sql;
            command.CommandTimeout = 0;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                each(reader);
            }
        }

        public static async Task<Snapshot> OpenAsync(SupportSignalDbContext db, ExportEngineOptions options, CancellationToken cancellationToken)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            DbTransaction? transaction = null;
            try
            {
                var connection = db.Database.GetDbConnection();
                transaction = connection is SqliteConnection sqlite
                    ? sqlite.BeginTransaction(IsolationLevel.Serializable, deferred: true)
                    : await connection.BeginTransactionAsync(IsolationLevel.Snapshot, cancellationToken);
                await db.Database.UseTransactionAsync(transaction, cancellationToken);
                IRowSource rows = options.UseSqliteFastPath && connection is SqliteConnection fast
                    ? new SqliteRowSource(fast)
                    : new DataReaderRowSource(connection, transaction);
                return new Snapshot(db, transaction, rows);
            }
            catch
            {
                if (transaction is not null)
                {
                    await transaction.DisposeAsync();
                }

                await db.Database.CloseConnectionAsync();
                throw;
            }
        }

        public async Task ChooseRowsAsync(SegmentSql segment, CancellationToken cancellationToken)
        {
            await segment.ValidateAsync(_connection, _transaction, cancellationToken);
            await segment.MaterializeAsync(_connection, _transaction, cancellationToken);
        }

        public async Task<long> CountAsync(string countSql, CancellationToken cancellationToken)
        {
            await using var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = countSql;
            command.CommandTimeout = 0;
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        public async ValueTask DisposeAsync()
        {
            await _db.Database.UseTransactionAsync(null, CancellationToken.None);
            await _transaction.DisposeAsync();
            await _db.Database.CloseConnectionAsync();
        }
    }
}

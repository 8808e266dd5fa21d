using System.Diagnostics;
using System.Reflection;

using SupportSignal.Data;
using SupportSignal.Export.Catalog;
using SupportSignal.Export.Deidentification;
using SupportSignal.Export.Diagnostics;
using SupportSignal.Export.Reading;
using SupportSignal.Export.Segmentation;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export;

/// <summary>
/// Streams the database as one metadata-plus-data JSON document (docs/export-format.md), read
/// from a single snapshot, secrets never read. Knows nothing of ASP.NET: it writes to a Stream.
/// </summary>
public sealed class ExportService(ExportDatabase database, TimeProvider? timeProvider = null, ExportEngineOptions? options = null)
{
    public const int FormatVersion = 1;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ExportEngineOptions _options = options ?? new ExportEngineOptions();
    private readonly SqlDialect _dialect = SqlDialect.For(database.Provider);

    /// <summary>The engine over a context's connection and model (the web app, MCP, tests and the benchmark).</summary>
    public ExportService(SupportSignalDbContext db, TimeProvider? timeProvider = null, ExportEngineOptions? options = null)
        : this(ExportDatabase.Over(db), timeProvider, options)
    {
    }

    public ExportCatalog Catalog => database.Catalog;

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
        var counted = new CountingStream(output);
        var summary = await RunAsync(request, () => counted.BytesWritten, progress, async (snapshot, metadata, plans, reporter) =>
        {
            // One reader (the parallel writer's serial case) or several sharing the snapshot.
            var readers = await ParallelDocumentWriter.WriteAsync(
                snapshot, ParallelReaders(metadata.Selection), SpillDirectory, request.Format, counted, metadata, plans, reporter, cancellationToken);
            await counted.FlushAsync(cancellationToken);
            return readers;
        }, cancellationToken);
        return summary;
    }

    /// <summary>
    /// Writes a Parquet export's files (<c>metadata.json</c>, <c>tables/&lt;name&gt;.parquet</c>) into
    /// <paramref name="folder"/> instead of a zip: the same snapshot, rows and values.
    /// </summary>
    public async Task<ExportSummary> ExportAsync(
        ExportRequest request, IExportFolder folder, IProgress<ExportProgress>? progress, CancellationToken cancellationToken = default)
    {
        if (request.Format != ExportFormat.Parquet)
        {
            throw new ExportRequestException("format", $"Only a Parquet export can be written into a folder, not {request.Format.Extension()}.");
        }

        var counted = new CountingFolder(folder);
        return await RunAsync(request, () => counted.BytesWritten, progress, (snapshot, metadata, plans, reporter) =>
            ParallelDocumentWriter.WriteFilesAsync(
                snapshot, ParallelReaders(metadata.Selection), SpillDirectory, counted, metadata, plans, reporter, cancellationToken),
            cancellationToken);
    }

    private async Task<ExportSummary> RunAsync(
        ExportRequest request, Func<long> bytesWritten, IProgress<ExportProgress>? progress,
        Func<Snapshot, DocumentMetadata, List<TablePlan>, ProgressReporter?, Task<int>> write, CancellationToken cancellationToken)
    {
        var selection = Select(request);
        var stopwatch = Stopwatch.StartNew();
        await using var snapshot = await OpenSnapshotAsync(ChoosesRows(selection), cancellationToken);
        StartupTrace.Mark("snapshot opened, schema checked");
        var (plans, metadata) = await PrepareAsync(snapshot, request, selection, cancellationToken);
        StartupTrace.Mark("rows counted");
        var reporter = progress is null ? null : new ProgressReporter(progress, bytesWritten, metadata.Counts, stopwatch);
        var readers = await write(snapshot, metadata, plans, reporter);
        StartupTrace.Mark("rows written");
        reporter?.Finished();
        return new ExportSummary(metadata.Counts, metadata.Counts.Values.Sum(), bytesWritten(), stopwatch.Elapsed) { Readers = readers, FastPathTables = snapshot.FastPathTables };
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

        await using var snapshot = await OpenSnapshotAsync(selections.Any(ChoosesRows), cancellationToken);
        var previews = new List<ExportPreview>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            var (plans, metadata) = await PrepareAsync(snapshot, requests[i], selections[i], cancellationToken);
            var estimates = await SizeEstimator.EstimateAsync(snapshot, metadata, plans, cancellationToken);
            previews.Add(new ExportPreview(selections[i], metadata.Counts, metadata.Counts.Values.Sum(), estimates[requests[i].Format], estimates)
            {
                StubCounts = metadata.StubCounts,
            });
        }

        return previews;
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
            statements.Add(SizeEstimator.Sample([plan], Dialect)[0].Sql);
        }

        return statements;
    }

    private List<TablePlan> Plans(ExportSelection selection, Deidentifier? deidentifier)
    {
        var segment = SegmentSql(selection);
        return selection.Included
            .Select(t => (Table: t, Segment: selection.Segment?.Tables.First(s => s.Table == t)))
            .Select(t => new TablePlan(
                t.Table, Dialect.Delimit, t.Segment is null ? null : segment!.RowFilter(t.Segment),
                deidentifier?.TransformsFor(t.Table),
                t.Segment is null ? null : segment!.Stubs(t.Segment, selection.Request.Deidentify)))
            .ToList();
    }

    private SqlDialect Dialect => _dialect;

    private Task<Snapshot> OpenSnapshotAsync(bool writesTempTables, CancellationToken cancellationToken) =>
        Snapshot.OpenAsync(database, Dialect, _options.UseSqliteFastPath, writesTempTables, cancellationToken);

    // A segment that filters rows chooses them into temporary tables of the export's own session.
    private static bool ChoosesRows(ExportSelection selection) =>
        selection.Segment is { } segment && segment.Tables.Any(t => t.Choice != RowChoice.Whole);

    // Several readers need a snapshot other sessions can share, tables read whole (a segment's chosen
    // keys live in the export's own session), and one document or one file per table written as it is
    // read (a zip of JSON Lines compresses its entries as the serial export does). De-identification
    // reads the same way: its people are learnt before the rows, and its pseudonyms depend on nothing else.
    private int ParallelReaders(ExportSelection selection) =>
        !ChoosesRows(selection) &&
        (selection.Request.Format switch
        {
            ExportFormat.Json or ExportFormat.Parquet => Dialect.SharesSnapshots,
            ExportFormat.JsonGz => Dialect.SharesSnapshotsForCompressedOutput,
            _ => false,
        })
            ? Math.Clamp(_options.Parallelism == ExportEngineOptions.ProviderDefault ? Dialect.DefaultParallelism : _options.Parallelism, 1, ExportEngineOptions.MaxParallelism)
            : 1;

    private string SpillDirectory => _options.SpillDirectory ?? Path.GetTempPath();

    private SegmentSql? SegmentSql(ExportSelection selection) =>
        selection.Segment is { } plan ? new SegmentSql(plan, Dialect, Literal) : null;

    private string Literal(string table, string column, object value) => database.Literal(table, column, Dialect.LiteralValue(value));

    // Inside the snapshot (its schema already checked): choose a segment's rows, learn the people to de-identify, count.
    private async Task<(List<TablePlan> Plans, DocumentMetadata Metadata)> PrepareAsync(
        Snapshot snapshot, ExportRequest request, ExportSelection selection, CancellationToken cancellationToken)
    {
        if (SegmentSql(selection) is { } segment)
        {
            await segment.ChooseRowsAsync(snapshot, cancellationToken);
        }

        var deidentifier = request.Deidentify
            ? await Deidentifier.CreateAsync(Catalog, _options.PseudonymKey, snapshot.QueryAsync, Dialect.Delimit, cancellationToken)
            : null;
        var plans = Plans(selection, deidentifier);
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
            _time.GetUtcNow().UtcDateTime, request.ExportedBy, Dialect.Name, snapshot.AppliedMigration, selection, counts, ApplicationVersion, privacy)
        {
            StubCounts = stubs,
        });
    }

    public static string ApplicationVersion { get; } =
        typeof(ExportService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}

using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

using SupportSignal.Export.Catalog;
using SupportSignal.Export.Deidentification;
using SupportSignal.Export.Reading;

namespace SupportSignal.Export.Writing;

/// <summary>A table ready to stream: the SELECT (secret columns never named) and the pre-encoded property names.</summary>
internal sealed class TablePlan
{
    /// <param name="rowFilter">A WHERE clause choosing a segment's rows; null reads every row.</param>
    /// <param name="transforms">Per exported column, how a de-identified export rewrites it; null writes values as stored.</param>
    /// <param name="stubs">For a segment's table that can hold stubs: what makes a row a stub, and which columns a stub reads as null.</param>
    public TablePlan(
        ExportTable table, Func<string, string> delimit, string? rowFilter = null, ColumnTransform?[]? transforms = null,
        (string Condition, Func<ExportColumn, bool> Blanked)? stubs = null)
    {
        Table = table;
        Transforms = transforms;
        Columns = table.ExportedColumns.ToArray();
        Kinds = Columns.Select(c => c.Kind).ToArray();
        Names = Columns.Select(c => JsonEncodedText.Encode(c.Name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)).ToArray();
        Blanked = Columns.Select(c => stubs is { } s && s.Blanked(c)).ToArray();
        var where = rowFilter is null ? "" : $" WHERE {rowFilter}";
        string Select(ExportColumn c) => stubs is { } s && s.Blanked(c)
            ? $"CASE WHEN {s.Condition} THEN NULL ELSE {delimit(c.Name)} END"
            : delimit(c.Name);
        Sql = $"SELECT {string.Join(", ", Columns.Select(Select))} FROM {delimit(table.Name)}{where} " +
            $"ORDER BY {string.Join(", ", table.PrimaryKey.Select(delimit))}";
        CountSql = $"SELECT COUNT(*) FROM {delimit(table.Name)}{where}";
        StubCountSql = stubs is { } stub ? $"SELECT COUNT(*) FROM {delimit(table.Name)} WHERE {stub.Condition}" : null;
    }

    private TablePlan(TablePlan plan, string sql)
    {
        Table = plan.Table;
        Columns = plan.Columns;
        Kinds = plan.Kinds;
        Names = plan.Names;
        Blanked = plan.Blanked;
        Transforms = plan.Transforms;
        Sql = sql;
        CountSql = plan.CountSql;
        StubCountSql = plan.StubCountSql;
    }

    /// <summary>The same plan reading only the first <paramref name="rows"/> rows (for size estimates).</summary>
    public TablePlan FirstRows(int rows, SqlDialect dialect) => new(this, dialect.FirstRows(Sql, rows));

    public ExportTable Table { get; }

    public ColumnTransform?[]? Transforms { get; }

    public ExportColumn[] Columns { get; }

    public ValueKind[] Kinds { get; }

    public JsonEncodedText[] Names { get; }

    /// <summary>Per exported column, true when a stub row reads it as null (so it may be null whatever the model says).</summary>
    public bool[] Blanked { get; }

    public string Sql { get; }

    public string CountSql { get; }

    /// <summary>Counts the table's stub rows; null when it can hold none.</summary>
    public string? StubCountSql { get; }
}

/// <summary>
/// Where rows go: either one JSON document (rows are array elements, the writer targets the
/// stream) or JSON Lines (each row is its own value followed by a newline; the writer targets a
/// buffer that is copied to the stream in large chunks). Flushes in large chunks, never per row.
/// </summary>
internal sealed class JsonOutput
{
    private const int FlushThreshold = 64 * 1024;
    private readonly ArrayBufferWriter<byte>? _lineBuffer;
    private readonly Stream? _lineStream;
    private readonly ProgressReporter? _progress;

    private JsonOutput(Utf8JsonWriter writer, ArrayBufferWriter<byte>? lineBuffer, Stream? lineStream, ProgressReporter? progress)
    {
        Writer = writer;
        _lineBuffer = lineBuffer;
        _lineStream = lineStream;
        _progress = progress;
    }

    public static JsonOutput Document(Utf8JsonWriter writer, ProgressReporter? progress = null) => new(writer, null, null, progress);

    public static JsonOutput Lines(Stream stream, JsonWriterOptions options, ProgressReporter? progress = null)
    {
        var buffer = new ArrayBufferWriter<byte>(2 * FlushThreshold);
        return new JsonOutput(new Utf8JsonWriter(buffer, options), buffer, stream, progress);
    }

    public Utf8JsonWriter Writer { get; }

    public bool ShouldFlush => _lineBuffer is null ? Writer.BytesPending >= FlushThreshold : _lineBuffer.WrittenCount >= FlushThreshold;

    /// <summary>Ends a row: nothing for a document (the writer adds the commas); a newline for JSON Lines.</summary>
    public void EndRow()
    {
        _progress?.Row();
        if (_lineBuffer is null)
        {
            return;
        }

        Writer.Flush();
        _lineBuffer.GetSpan(1)[0] = (byte)'\n';
        _lineBuffer.Advance(1);
        // A fresh top-level value next, not a sibling needing a comma.
        Writer.Reset(_lineBuffer);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_lineBuffer is null)
        {
            await Writer.FlushAsync(cancellationToken);
        }
        else
        {
            await _lineStream!.WriteAsync(_lineBuffer.WrittenMemory, cancellationToken);
            _lineBuffer.ResetWrittenCount();
        }

        _progress?.Flushed();
    }
}

/// <summary>Streams one table's rows, in primary-key order, into the writer.</summary>
internal interface IRowSource
{
    /// <summary>Writes every row as JSON (the document, a zip's JSON Lines); returns the rows written.</summary>
    Task<long> WriteRowsAsync(TablePlan plan, JsonOutput output, CancellationToken cancellationToken);

    /// <summary>
    /// Hands every row, positioned, to <paramref name="receiver"/> (a Parquet file's column buffers read
    /// its typed values; secret columns are never in the plan); returns the rows read.
    /// </summary>
    Task<long> ReadRowsAsync(TablePlan plan, IRowReceiver receiver, CancellationToken cancellationToken);
}

/// <summary>Where a row source hands each row it is positioned on; flushed between rows when it asks.</summary>
internal interface IRowReceiver
{
    /// <summary>Takes the row's values; the row is valid only during the call.</summary>
    void Receive(IExportRow row);

    bool ShouldFlush { get; }

    ValueTask FlushAsync(CancellationToken cancellationToken);
}

/// <summary>The JSON path as a receiver: the row source writes each row with its own <paramref name="writeRow"/>.</summary>
internal sealed class JsonRowReceiver(JsonOutput output, Action<Utf8JsonWriter, IExportRow> writeRow) : IRowReceiver
{
    public void Receive(IExportRow row)
    {
        writeRow(output.Writer, row);
        output.EndRow();
    }

    public bool ShouldFlush => output.ShouldFlush;

    public ValueTask FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);
}

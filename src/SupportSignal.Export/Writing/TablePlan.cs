using System.Text.Encodings.Web;
using System.Text.Json;

using SupportSignal.Export.Catalog;

namespace SupportSignal.Export.Writing;

/// <summary>A table ready to stream: the SELECT (secret columns never named) and the pre-encoded property names.</summary>
internal sealed class TablePlan
{
    public TablePlan(ExportTable table, Func<string, string> delimit)
    {
        Table = table;
        Columns = table.ExportedColumns.ToArray();
        Kinds = Columns.Select(c => c.Kind).ToArray();
        Names = Columns.Select(c => JsonEncodedText.Encode(c.Name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)).ToArray();
        Sql = $"SELECT {string.Join(", ", Columns.Select(c => delimit(c.Name)))} FROM {delimit(table.Name)} " +
            $"ORDER BY {string.Join(", ", table.PrimaryKey.Select(delimit))}";
        CountSql = $"SELECT COUNT(*) FROM {delimit(table.Name)}";
    }

    public ExportTable Table { get; }

    public ExportColumn[] Columns { get; }

    public ValueKind[] Kinds { get; }

    public JsonEncodedText[] Names { get; }

    public string Sql { get; }

    public string CountSql { get; }
}

/// <summary>The writer and the stream behind it; flushes in large chunks, never per row.</summary>
internal sealed class JsonOutput(Utf8JsonWriter writer)
{
    private const int FlushThreshold = 64 * 1024;

    public Utf8JsonWriter Writer { get; } = writer;

    public bool ShouldFlush => Writer.BytesPending >= FlushThreshold;

    public ValueTask FlushAsync(CancellationToken cancellationToken) => new(Writer.FlushAsync(cancellationToken));
}

/// <summary>Streams one table's rows, in primary-key order, into the writer.</summary>
internal interface IRowSource
{
    Task<long> WriteRowsAsync(TablePlan plan, JsonOutput output, CancellationToken cancellationToken);
}

using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace SupportSignal.Mcp;

/// <summary>
/// One answer: the rows that fit, and what was left out. <see cref="Text"/> is a compact pipe table
/// for the model to read; <see cref="Structured"/> the same rows as JSON for a program.
/// </summary>
public sealed record QueryResult(
    IReadOnlyList<(string Name, string Type)> Columns,
    IReadOnlyList<string?[]> Rows,
    long TotalRows,
    string? TruncatedBy,
    string Text,
    JsonElement Structured)
{
    public bool Truncated => TruncatedBy is not null;
}

/// <summary>
/// Reads a result under a row cap and a byte budget, counting every row even past them, so the
/// model is told plainly how many there were.
/// </summary>
internal static class ResultFormatter
{
    public const string RowCapReason = "row_cap";
    public const string ByteBudgetReason = "byte_budget";

    public static QueryResult Read(System.Data.Common.DbDataReader reader, int rowCap, int byteBudget, CancellationToken cancellationToken)
    {
        var columns = Enumerable.Range(0, reader.FieldCount).Select(i => (reader.GetName(i), reader.GetDataTypeName(i).ToUpperInvariant())).ToList();
        var text = new StringBuilder();
        text.Append(string.Join(" | ", columns.Select(c => Cell(c.Item1)))).Append('\n');
        text.Append(string.Join(" | ", columns.Select(_ => "---"))).Append('\n');
        var bytes = Encoding.UTF8.GetByteCount(text.ToString());
        var rows = new List<string?[]>();
        string? truncatedBy = null;
        long total = 0;
        while (reader.Read())
        {
            total++;
            if (truncatedBy is not null)
            {
                if ((total & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                continue;
            }

            if (rows.Count == rowCap)
            {
                truncatedBy = RowCapReason;
                continue;
            }

            var row = new string?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Format(reader.GetValue(i));
            }

            var line = string.Join(" | ", row.Select(v => v is null ? "NULL" : Cell(v))) + "\n";
            var lineBytes = Encoding.UTF8.GetByteCount(line);
            if (bytes + lineBytes > byteBudget)
            {
                truncatedBy = ByteBudgetReason;
                continue;
            }

            bytes += lineBytes;
            text.Append(line);
            rows.Add(row);
        }

        text.Append(Summary(rows.Count, total, truncatedBy, rowCap, byteBudget));
        return new QueryResult(columns, rows, total, truncatedBy, text.ToString(), Structure(columns, rows, total, truncatedBy));
    }

    private static string Summary(int shown, long total, string? truncatedBy, int rowCap, int byteBudget) => truncatedBy switch
    {
        null => total == 1 ? "(1 row)" : $"({total:N0} rows)",
        RowCapReason => $"TRUNCATED: showing the first {shown:N0} of {total:N0} rows (row cap {rowCap:N0}). " +
            "Aggregate, filter or add a LIMIT to see the rest.",
        _ => $"TRUNCATED: showing the first {shown:N0} of {total:N0} rows; the answer reached its {byteBudget / 1024.0:0.#} KB budget. " +
            "Select fewer columns, aggregate, or shorten long text with left(column, 200).",
    };

    private static JsonElement Structure(IReadOnlyList<(string Name, string Type)> columns, List<string?[]> rows, long total, string? truncatedBy)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("columns");
            foreach (var (name, type) in columns)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("type", type);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("rows");
            foreach (var row in rows)
            {
                w.WriteStartArray();
                foreach (var value in row)
                {
                    if (value is null)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        w.WriteStringValue(value);
                    }
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteNumber("rowsReturned", rows.Count);
            w.WriteNumber("totalRows", total);
            w.WriteBoolean("truncated", truncatedBy is not null);
            if (truncatedBy is null)
            {
                w.WriteNull("truncatedBy");
            }
            else
            {
                w.WriteString("truncatedBy", truncatedBy);
            }

            w.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>A value as invariant text: ISO-8601 timestamps (UTC, as the export wrote them), lowercase ids, JSON for lists and structs.</summary>
    internal static string Format(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        Guid g => g.ToString("D"),
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        BigInteger i => i.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary or IEnumerable => JsonSerializer.Serialize(Plain(value)),
        _ => value.ToString() ?? "",
    };

    // Lists, maps and structs become JSON of their formatted members.
    private static object? Plain(object? value) => value switch
    {
        null or DBNull => null,
        string or bool => value,
        IDictionary map => map.Keys.Cast<object>().ToDictionary(k => Format(k), k => Plain(map[k])),
        IEnumerable list => list.Cast<object?>().Select(Plain).ToList(),
        _ => Format(value),
    };

    /// <summary>A cell on one line: newlines shown as \n, the column separator escaped.</summary>
    private static string Cell(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("|", "\\|", StringComparison.Ordinal);
}

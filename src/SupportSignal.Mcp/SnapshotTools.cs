using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.Logging;

using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace SupportSignal.Mcp;

/// <summary>
/// The tools the model calls. Each call is logged as one line (tool, outcome, duration, rows,
/// truncated) and never with SQL, arguments or values; a refused or failed call comes back as a tool
/// error the model can read and correct, never as a crash of the server.
/// </summary>
[McpServerToolType]
public sealed partial class SnapshotTools(ExportSnapshot snapshot, ILogger<SnapshotTools> logger)
{
    private const int MaxSample = 50;

    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web);

    [McpServerTool(Name = "describe_export", Title = "Describe the export snapshot", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("What this snapshot of the SupportSignal database is: when it was exported, full or segmented, its filters, " +
        "whether people are de-identified, and every table with its row count, primary key, columns (DuckDB type and " +
        "privacy classification: ordinary, personal, free_text) and foreign keys. Call this first; table and column names " +
        "here are the ones the query tool accepts.")]
    public CallToolResult DescribeExport() =>
        Run("describe_export", () =>
        {
            var description = snapshot.Description;
            return (Describe(description), JsonSerializer.SerializeToElement(description, _json), description.Tables.Count, false);
        });

    [McpServerTool(Name = "query", Title = "Run one read-only SQL query", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("Runs ONE read-only DuckDB SQL statement over the snapshot: SELECT, WITH … SELECT, DESCRIBE or SUMMARIZE " +
        "(DuckDB dialect: date_trunc, strftime, count(*) FILTER (WHERE …), QUALIFY, regexp_matches). Tables are the export's " +
        "tables by name (see describe_export); ids are UUIDs, timestamps are UTC. Anything that writes, attaches, copies, " +
        "reads files or URLs, installs extensions or changes settings is refused. The answer is a pipe-separated table, " +
        "capped in rows and bytes; when it is cut short it says so and gives the full row count, so prefer aggregates " +
        "(count, group by) to listing rows.")]
    public Task<CallToolResult> Query(
        [Description("One DuckDB SELECT statement, e.g. SELECT severity, count(*) FROM incident_classifications GROUP BY ALL ORDER BY 2 DESC")] string sql,
        [Description("Most rows to return (default and maximum: the server's row cap, 200 unless configured).")] int? limit = null,
        CancellationToken cancellationToken = default) =>
        RunAsync("query", async () =>
        {
            var result = await snapshot.QueryAsync(sql, [], limit ?? snapshot.Limits.RowCap, cancellationToken);
            return (result.Text, result.Structured, result.Rows.Count, result.Truncated);
        });

    [McpServerTool(Name = "sample_rows", Title = "Show a few rows of one table", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("Shows a few rows of one table, in primary-key order, optionally only those where one column equals a value " +
        "(e.g. table incidents, column participant_id, value <an id>). Use it to see what the data looks like before writing a query.")]
    public Task<CallToolResult> SampleRows(
        [Description("A table name from describe_export, e.g. incidents.")] string table,
        [Description("How many rows, 1 to 50 (default 5).")] int? count = null,
        [Description("Optional: a column of that table to filter on.")] string? column = null,
        [Description("Optional, with column: the value the column must equal (compared as text, so ids, enums, numbers and dates all work).")] string? value = null,
        CancellationToken cancellationToken = default) =>
        RunAsync("sample_rows", async () =>
        {
            var found = snapshot.Description.Find(table)
                ?? throw new SnapshotQueryException(
                    $"Unknown table '{table}'. Tables: {string.Join(", ", snapshot.Description.Tables.Select(t => t.Name))}.", "unknown table");
            var sql = new StringBuilder($"SELECT * FROM {Loading.SnapshotLoader.Identifier(found.Name)}");
            List<object?> parameters = [];
            if (column is not null)
            {
                var filter = found.Columns.FirstOrDefault(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase))
                    ?? throw new SnapshotQueryException(
                        $"Table {found.Name} has no column '{column}'. Columns: {string.Join(", ", found.Columns.Select(c => c.Name))}.", "unknown column");
                sql.Append($" WHERE CAST({Loading.SnapshotLoader.Identifier(filter.Name)} AS VARCHAR) {(value is null ? "IS NULL" : "= $1")}");
                if (value is not null)
                {
                    parameters.Add(value);
                }
            }
            else if (value is not null)
            {
                throw new SnapshotQueryException("A value needs a column to compare it with.", "bad argument");
            }

            if (found.PrimaryKey.Count > 0)
            {
                sql.Append(" ORDER BY ").Append(string.Join(", ", found.PrimaryKey.Select(Loading.SnapshotLoader.Identifier)));
            }

            var rows = Math.Clamp(count ?? 5, 1, MaxSample);
            sql.Append(" LIMIT ").Append(rows);
            var result = await snapshot.QueryAsync(sql.ToString(), parameters, rows, cancellationToken);
            return (result.Text, result.Structured, result.Rows.Count, result.Truncated);
        });

    internal static string Describe(SnapshotDescription d)
    {
        var text = new StringBuilder();
        text.Append($"SupportSignal export snapshot from {d.SourceName}: exported {d.ExportedAt ?? "(unknown time)"}, {d.ExportType ?? "unknown"} export");
        text.Append($", database {d.Provider ?? "?"} at migration {d.LatestMigration ?? "?"}.\n");
        text.Append(d.Deidentified
            ? "De-identified: YES. People are pseudonyms (Participant 7F3A2C, User 4B5C6D, user-9a8b7c@example.invalid, NDIS-7F3A2C91); " +
              "phone numbers and addresses read [phone], [address]; dates of birth are years; free text is scrubbed of known names and contact details. " +
              "The same pseudonym is the same person everywhere in the snapshot.\n"
            : "De-identified: NO. This snapshot holds real names and contact details: do not quote personal details in answers.\n");
        text.Append($"Filters applied: {d.Filters.GetRawText()}\n");
        text.Append("Secret columns (password hashes, tokens) are never in an export. Left out: ");
        text.Append(d.ExcludedTables.ValueKind == JsonValueKind.Array && d.ExcludedTables.GetArrayLength() > 0
            ? string.Join("; ", d.ExcludedTables.EnumerateArray().Select(e => $"{Loading.SnapshotLoader.Text(e, "table")} ({Loading.SnapshotLoader.Text(e, "reason")})"))
            : "nothing");
        text.Append($".\n\n{d.Tables.Count} tables, {d.TotalRows:N0} rows. Columns as name TYPE, [classification] when not ordinary, → referenced table.column:\n");
        foreach (var table in d.Tables)
        {
            text.Append($"\n{table.Name}: {table.RowCount:N0} rows, primary key ({string.Join(", ", table.PrimaryKey)})\n  ");
            text.Append(string.Join(", ", table.Columns.Select(c =>
            {
                var fk = table.ForeignKeys.FirstOrDefault(k => k.Columns.Count == 1 && k.Columns[0] == c.Name);
                return $"{c.Name} {c.Type}{(c.Json ? " (JSON)" : "")}{(c.Classification == "ordinary" ? "" : $" [{c.Classification}]")}"
                    + (fk is null ? "" : $" → {fk.ReferencedTable}.{string.Join(",", fk.ReferencedColumns)}");
            })));
            text.Append('\n');
        }

        return text.ToString();
    }

    private CallToolResult Run(string tool, Func<(string Text, JsonElement Structured, int Rows, bool Truncated)> call) =>
        RunAsync(tool, () => Task.FromResult(call())).GetAwaiter().GetResult();

    private async Task<CallToolResult> RunAsync(string tool, Func<Task<(string Text, JsonElement Structured, int Rows, bool Truncated)>> call)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var (text, structured, rows, truncated) = await call();
            LogCall(tool, "ok", stopwatch.ElapsedMilliseconds, rows, truncated);
            return new CallToolResult { Content = [new TextContentBlock { Text = text }], StructuredContent = structured };
        }
        catch (SnapshotQueryException e)
        {
            LogCall(tool, "refused: " + e.Category, stopwatch.ElapsedMilliseconds, 0, false);
            return Error(e.Message);
        }
        catch (OperationCanceledException)
        {
            LogCall(tool, "cancelled", stopwatch.ElapsedMilliseconds, 0, false);
            throw;
        }
        catch (Exception e)
        {
            LogCall(tool, "failed: " + e.GetType().Name, stopwatch.ElapsedMilliseconds, 0, false);
            return Error($"The {tool} tool failed unexpectedly ({e.GetType().Name}); the snapshot is unchanged and other calls still work.");
        }
    }

    // Returned rather than thrown, so the message (which may quote the model's SQL) reaches the model and no log.
    private static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

    [LoggerMessage(Level = LogLevel.Information, Message = "tool {Tool} {Outcome} in {DurationMs} ms: {Rows} rows returned, truncated {Truncated}")]
    private partial void LogCall(string tool, string outcome, long durationMs, int rows, bool truncated);
}

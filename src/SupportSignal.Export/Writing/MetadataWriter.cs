using System.Globalization;
using System.Text.Json;

using SupportSignal.Data.Classification;
using SupportSignal.Export.Deidentification;

namespace SupportSignal.Export.Writing;

internal sealed record DocumentMetadata(
    DateTime ExportedAt,
    string ExportedBy,
    string Provider,
    string? LatestMigration,
    ExportSelection Selection,
    IReadOnlyDictionary<string, long> Counts,
    string ApplicationVersion,
    DeidentificationSummary? Deidentification = null)
{
    /// <summary>Per exported table, how many of its rows are stubs; all zero outside a company or site segment.</summary>
    public IReadOnlyDictionary<string, long> StubCounts { get; init; } = new Dictionary<string, long>();
}

/// <summary>What a de-identified export did to each column, and where its pseudonym key came from.</summary>
internal sealed record DeidentificationSummary(bool KeyConfigured, IReadOnlyList<DeidentifiedColumn> Columns);

/// <summary>Writes the "metadata" object of format version 1 (docs/export-format.md).</summary>
internal static class MetadataWriter
{
    public static void Write(Utf8JsonWriter w, DocumentMetadata m)
    {
        var selection = m.Selection;
        w.WriteStartObject("metadata");
        w.WriteNumber("formatVersion", ExportService.FormatVersion);
        w.WriteString("exportedAt", m.ExportedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteString("exportType", selection.ExportType);
        w.WriteString("exportedBy", m.ExportedBy);

        w.WriteStartObject("application");
        w.WriteString("name", "SupportSignal");
        w.WriteString("version", m.ApplicationVersion);
        w.WriteEndObject();

        w.WriteStartObject("database");
        w.WriteString("provider", m.Provider);
        w.WriteString("latestMigration", m.LatestMigration);
        w.WriteEndObject();

        w.WritePropertyName("filtersApplied");
        WriteFilters(w, selection.Request, selection.RequestedTables);

        w.WriteStartObject("recordCounts");
        foreach (var table in selection.Included)
        {
            w.WriteNumber(table.Name, m.Counts[table.Name]);
        }

        w.WriteEndObject();
        w.WriteNumber("totalRecords", m.Counts.Values.Sum());

        w.WriteStartObject("sanitization");
        w.WriteBoolean("deidentified", m.Deidentification is not null);
        if (m.Deidentification is { } privacy)
        {
            w.WriteString("pseudonymKey", privacy.KeyConfigured ? "configured (stable across exports)" : "random for this export");
            WriteColumns(w, "pseudonymizedColumns", "method", privacy.Columns.Where(c => !Deidentifier.IsScrubbed(c)).Select(c => (c.Table, c.Column, c.Method)));
            WriteColumns(w, "scrubbedColumns", "method", privacy.Columns.Where(Deidentifier.IsScrubbed).Select(c => (c.Table, c.Column, c.Method)));
        }

        w.WriteStartArray("excludedTables");
        foreach (var excluded in selection.Excluded)
        {
            w.WriteStartObject();
            w.WriteString("table", excluded.Table);
            w.WriteString("reason", excluded.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteColumns(w, "removedColumns", "reason", selection.RemovedColumns.Select(c => (c.Table, c.Column, c.Reason)));
        w.WriteEndObject();

        if (selection.Request.IsSegmented)
        {
            w.WriteStartObject("segment");
            w.WriteBoolean("closure", selection.Request.Closure);
            WriteStrings(w, "sharedTables", selection.SharedTables);
            WriteStrings(w, "closureTables", selection.ClosureTables);
            WriteStrings(w, "referencedTablesLeftOut", selection.ReferencedTablesLeftOut);
            WriteStrings(w, "historyTables", selection.HistoryTables);
            w.WriteStartObject("stubRows");
            foreach (var table in selection.Included)
            {
                w.WriteNumber(table.Name, m.StubCounts.GetValueOrDefault(table.Name));
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteStartArray("tables");
        foreach (var table in selection.Included)
        {
            w.WriteStartObject();
            w.WriteString("name", table.Name);
            WriteStrings(w, "primaryKey", table.ExportedPrimaryKey);
            if (table.KeyNote is { } keyNote)
            {
                w.WriteString("keyNote", keyNote);
            }

            w.WriteStartArray("columns");
            foreach (var column in table.ExportedColumns)
            {
                w.WriteStartObject();
                w.WriteString("name", column.Name);
                w.WriteString("type", column.StoreType);
                w.WriteBoolean("nullable", column.Nullable);
                w.WriteString("classification", column.Classification.ToWireName());
                if (column.Kind == Catalog.ValueKind.Json)
                {
                    w.WriteBoolean("json", true);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("foreignKeys");
            foreach (var fk in table.ForeignKeys)
            {
                w.WriteStartObject();
                WriteStrings(w, "columns", fk.Columns);
                w.WriteStartObject("references");
                w.WriteString("table", fk.PrincipalTable);
                WriteStrings(w, "columns", fk.PrincipalColumns);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    // The normalized filters: ids lowercase and sorted, dates as YYYY-MM-DD, tables as given.
    internal static void WriteFilters(Utf8JsonWriter w, ExportRequest request, IReadOnlyList<string>? tables)
    {
        w.WriteStartObject();
        if (request.Companies is { Count: > 0 } companies)
        {
            WriteStrings(w, "companies", companies.Select(id => id.ToString()).Order(StringComparer.Ordinal));
        }

        if (request.Sites is { Count: > 0 } sites)
        {
            WriteStrings(w, "sites", sites.Select(id => id.ToString()).Order(StringComparer.Ordinal));
        }

        if (request.From is { } from)
        {
            w.WriteString("from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (request.To is { } to)
        {
            w.WriteString("to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (tables is not null)
        {
            WriteStrings(w, "tables", tables);
        }

        if (request.IsSegmented)
        {
            w.WriteBoolean("closure", request.Closure);
        }

        w.WriteEndObject();
    }

    // [{table, column, <what>: ...}]: the removed columns with their reason, the de-identified ones with their method.
    private static void WriteColumns(Utf8JsonWriter w, string name, string what, IEnumerable<(string Table, string Column, string Value)> columns)
    {
        w.WriteStartArray(name);
        foreach (var (table, column, value) in columns)
        {
            w.WriteStartObject();
            w.WriteString("table", table);
            w.WriteString("column", column);
            w.WriteString(what, value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    internal static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

using DuckDB.NET.Data;

namespace SupportSignal.Mcp.Loading;

/// <summary>
/// Loads an export file into a DuckDB database of its own: each table's rows are staged as JSON lines
/// (their types checked on the way, <see cref="ColumnProfile"/>), read by DuckDB's JSON reader into a
/// typed table, and the staged files deleted. The database is then reopened read-only and locked
/// (<see cref="ExportSnapshot"/>).
/// </summary>
public static class SnapshotLoader
{
    public static ExportSnapshot Load(string exportPath, SnapshotLimits? limits = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var directory = Directory.CreateTempSubdirectory("supportsignal-mcp-");
        try
        {
            var databasePath = Path.Combine(directory.FullName, "snapshot.duckdb");
            SnapshotDescription description;
            using (var staging = new Staging(directory.FullName))
            {
                ExportFileReader.Read(exportPath, staging);
                description = staging.Finish(exportPath);
                description = description with { StageTime = stopwatch.Elapsed };
                using var connection = new DuckDBConnection($"Data Source={databasePath}");
                connection.Open();
                foreach (var table in staging.Tables)
                {
                    Execute(connection, table.CreateSql());
                    if (table.Rows > 0)
                    {
                        Execute(connection, table.InsertSql());
                    }
                }

                Execute(connection, "CHECKPOINT");
            }

            foreach (var staged in Directory.EnumerateFiles(directory.FullName, "*.jsonl"))
            {
                File.Delete(staged);
            }

            var bytes = new FileInfo(exportPath).Length;
            return new ExportSnapshot(directory.FullName, databasePath, description with
            {
                FileBytes = bytes,
                LoadTime = stopwatch.Elapsed,
                LoadCpuTime = Process.GetCurrentProcess().TotalProcessorTime - cpu,
            }, limits ?? new SnapshotLimits());
        }
        catch
        {
            directory.Delete(recursive: true);
            throw;
        }
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The sink the reader fills: one JSON-lines file and one set of column profiles per table.</summary>
    private sealed class Staging(string directory) : IExportRowSink, IDisposable
    {
        private readonly Dictionary<string, StagedTable> _tables = new(StringComparer.Ordinal);
        private readonly List<StagedTable> _ordered = [];
        private JsonElement _metadata;
        private StagedTable? _last;

        public IReadOnlyList<StagedTable> Tables => _ordered;

        public void Metadata(JsonElement metadata)
        {
            _metadata = metadata.Clone();
            if (!metadata.TryGetProperty("tables", out var tables) || tables.ValueKind != JsonValueKind.Array)
            {
                throw new ExportFileException("metadata.tables is missing, so the tables' columns and types are unknown.");
            }

            foreach (var table in tables.EnumerateArray())
            {
                var staged = StagedTable.From(table, directory, _ordered.Count);
                if (!_tables.TryAdd(staged.Name, staged))
                {
                    throw new ExportFileException($"metadata.tables lists {staged.Name} twice.");
                }

                _ordered.Add(staged);
            }
        }

        public void Row(string table, ReadOnlySpan<byte> row)
        {
            if (_last?.Name != table)
            {
                _last = _tables.GetValueOrDefault(table)
                    ?? throw new ExportFileException($"the file holds rows of {table}, which metadata.tables does not describe.");
            }

            _last.Add(row);
        }

        public SnapshotDescription Finish(string path)
        {
            foreach (var table in _ordered)
            {
                table.Close();
            }

            var counts = _metadata.TryGetProperty("recordCounts", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
            foreach (var table in _ordered)
            {
                if (counts.ValueKind == JsonValueKind.Object && counts.TryGetProperty(table.Name, out var expected)
                    && expected.TryGetInt64(out var n) && n != table.Rows)
                {
                    throw new ExportFileException(
                        $"{table.Name} holds {table.Rows:N0} rows but metadata.recordCounts says {n:N0}: the file is incomplete or was edited.");
                }
            }

            return SnapshotDescription.From(path, _metadata, _ordered.Select(t => t.Describe()).ToList());
        }

        public void Dispose()
        {
            foreach (var table in _ordered)
            {
                table.Close();
            }
        }
    }

    private sealed class StagedTable
    {
        private readonly ColumnProfile[] _profiles;
        private readonly byte[][] _names;
        private readonly JsonElement _definition;
        private FileStream? _file;
        private int _largestRow;

        private StagedTable(string name, JsonElement definition, string path)
        {
            Name = name;
            Path = path;
            _definition = definition;
            var columns = definition.TryGetProperty("columns", out var c) && c.ValueKind == JsonValueKind.Array
                ? c.EnumerateArray().ToList()
                : throw new ExportFileException($"metadata.tables entry {name} has no columns.");
            _profiles = columns.Select(column => new ColumnProfile(
                Text(column, "name") ?? throw new ExportFileException($"a column of {name} in metadata.tables has no name."),
                Text(column, "type") ?? "",
                Text(column, "classification") ?? "ordinary",
                column.TryGetProperty("json", out var json) && json.ValueKind == JsonValueKind.True)).ToArray();
            _names = _profiles.Select(p => Encoding.UTF8.GetBytes(p.Name)).ToArray();
        }

        public string Name { get; }

        public string Path { get; }

        public long Rows { get; private set; }

        public static StagedTable From(JsonElement definition, string directory, int index)
        {
            var name = Text(definition, "name");
            if (string.IsNullOrEmpty(name))
            {
                throw new ExportFileException("an entry of metadata.tables has no name.");
            }

            return new StagedTable(name, definition.Clone(), System.IO.Path.Combine(directory, $"{index:D3}.jsonl"));
        }

        public void Add(ReadOnlySpan<byte> row)
        {
            Profile(row);
            _largestRow = Math.Max(_largestRow, row.Length);
            _file ??= new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            _file.Write(row);
            _file.WriteByte((byte)'\n');
            Rows++;
        }

        public void Close()
        {
            _file?.Dispose();
            _file = null;
        }

        public string CreateSql() =>
            $"CREATE TABLE {Identifier(Name)} ({string.Join(", ", _profiles.Select(p => $"{Identifier(p.Name)} {p.DuckType()}"))})";

        public string InsertSql() =>
            $"INSERT INTO {Identifier(Name)} SELECT * FROM read_json({Literal(Path)}, format = 'newline_delimited', " +
            $"maximum_object_size = {Math.Max(1 << 20, _largestRow + 1).ToString(CultureInfo.InvariantCulture)}, " +
            $"columns = {{{string.Join(", ", _profiles.Select(p => $"{Literal(p.Name)}: {Literal(p.DuckType())}"))}}})";

        public SnapshotTable Describe() => new(
            Name,
            Rows,
            Strings(_definition, "primaryKey"),
            _definition.GetProperty("columns").EnumerateArray().Zip(_profiles, (column, profile) => new SnapshotColumn(
                profile.Name,
                profile.DuckType(),
                Text(column, "type") ?? "",
                !column.TryGetProperty("nullable", out var nullable) || nullable.ValueKind != JsonValueKind.False,
                Text(column, "classification") ?? "ordinary",
                column.TryGetProperty("json", out var json) && json.ValueKind == JsonValueKind.True)).ToList(),
            _definition.TryGetProperty("foreignKeys", out var keys) && keys.ValueKind == JsonValueKind.Array
                ? keys.EnumerateArray().Select(k => new SnapshotForeignKey(
                    Strings(k, "columns"),
                    k.TryGetProperty("references", out var r) ? Text(r, "table") ?? "" : "",
                    k.TryGetProperty("references", out var rc) ? Strings(rc, "columns") : [])).ToList()
                : []);

        private void Profile(ReadOnlySpan<byte> row)
        {
            var reader = new Utf8JsonReader(row, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ExportFileException($"row {Rows + 1:N0} of {Name} is not a JSON object.");
            }

            var next = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var index = next < _names.Length && reader.ValueTextEquals(_names[next]) ? next : Find(ref reader);
                reader.Read();
                _profiles[index].Observe(ref reader);
                next = index + 1;
            }
        }

        private int Find(ref Utf8JsonReader reader)
        {
            for (var i = 0; i < _names.Length; i++)
            {
                if (reader.ValueTextEquals(_names[i]))
                {
                    return i;
                }
            }

            throw new ExportFileException($"row {Rows + 1:N0} of {Name} has a column \"{reader.GetString()}\" that metadata.tables does not list.");
        }
    }

    internal static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    internal static IReadOnlyList<string> Strings(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
            : [];
}

using System.Globalization;
using System.IO.Compression;
using System.Text.Json;

using DuckDB.NET.Data;

using Microsoft.EntityFrameworkCore;

using Parquet.Meta;

using SupportSignal.Data.Classification;
using SupportSignal.Export;
using SupportSignal.Export.Catalog;
using SupportSignal.Export.Writing;

namespace SupportSignal.UnitTests.Export;

/// <summary>
/// The Parquet export read back by DuckDB and Parquet.Net: every table, the metadata's counts, the
/// JSON export's values in typed columns, the model's types and nullability, and de-identification.
/// </summary>
public sealed class ParquetExportTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>, IDisposable
{
    // A configured key, so the de-identified JSON and Parquet exports give everyone the same pseudonyms.
    private static readonly ExportEngineOptions Options = new() { PseudonymKey = "parquet-tests-key" };
    private readonly string _root = Directory.CreateTempSubdirectory("parquet-export-").FullName;

    private TestDatabase Database => seeded.Database;

    public static TheoryData<string> Kinds => ["full", "deidentified", "segment"];

    // Row groups of 16 KB: the test database's larger tables span many, so buffers are reused and refilled.
    public static TheoryData<string> KindsInSmallRowGroups => ["full-small-groups", "deidentified-small-groups"];

    [Theory]
    [MemberData(nameof(Kinds))]
    [MemberData(nameof(KindsInSmallRowGroups))]
    public async Task DuckDB_reads_every_table_with_the_metadata_counts_and_the_json_exports_values(string kind)
    {
        var small = kind.EndsWith("-small-groups", StringComparison.Ordinal);
        using var rowGroups = small ? ParquetRowGroupsForTests.LimitTo(16 * 1024) : null;
        var request = await RequestAsync(kind.Replace("-small-groups", "", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(await ExportRunner.BytesAsync(Database, request, Options), new JsonDocumentOptions { MaxDepth = 300 });
        var folder = await ParquetFolderAsync(request);
        var metadata = json.RootElement.GetProperty("metadata");

        using (var parquetMetadata = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "metadata.json"))))
        {
            Assert.Equal(metadata.GetRawText(), parquetMetadata.RootElement.GetProperty("metadata").GetRawText());
        }

        var tables = metadata.GetProperty("tables").EnumerateArray().ToList();
        Assert.Equal(
            tables.Select(t => t.GetProperty("name").GetString() + ".parquet").Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(folder, "tables")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        var values = 0;
        foreach (var table in tables)
        {
            var name = table.GetProperty("name").GetString()!;
            var columns = table.GetProperty("columns").EnumerateArray()
                .Select(c => (Name: c.GetProperty("name").GetString()!, Json: c.TryGetProperty("json", out _)))
                .ToList();
            var expected = json.RootElement.GetProperty("data").GetProperty(name).EnumerateArray().ToList();
            var rows = Query(duck, $"SELECT * FROM read_parquet('{Path.Combine(folder, "tables", name + ".parquet")}')", out var names);

            Assert.Equal(columns.Select(c => c.Name), names);
            Assert.Equal(metadata.GetProperty("recordCounts").GetProperty(name).GetInt64(), rows.Count);
            Assert.Equal(expected.Count, rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                for (var j = 0; j < columns.Count; j++)
                {
                    var value = expected[i].GetProperty(columns[j].Name);
                    Assert.True(Same(value, rows[i][j], columns[j].Json), $"{name}[{i}].{columns[j].Name}: JSON {value.GetRawText()}, Parquet {rows[i][j]} ({rows[i][j].GetType().Name})");
                    values++;
                }
            }
        }

        Assert.True(values > 10_000, $"only {values} values compared");
        if (small)
        {
            var (_, files) = await ParquetFiles.ReadZipAsync(
                await ExportRunner.BytesAsync(Database, request with { Format = ExportFormat.Parquet }, Options), TestContext.Current.CancellationToken);
            Assert.True(files.Values.Max(f => f.Footer.RowGroups.Count) > 10, "the largest table spans many row groups");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task The_generic_reader_writes_the_same_parquet_files_as_the_sqlite_fast_path(string kind)
    {
        var request = await RequestAsync(kind) with { Format = ExportFormat.Parquet };
        var fast = TableFiles(await ExportRunner.BytesAsync(Database, request, Options));
        var generic = TableFiles(await ExportRunner.BytesAsync(Database, request, Options with { UseSqliteFastPath = false }));

        Assert.True(fast.Count > 10, $"only {fast.Count} tables");
        Assert.Equal(fast.Keys.Order(StringComparer.Ordinal), generic.Keys.Order(StringComparer.Ordinal));
        Assert.All(fast, f => Assert.True(f.Value.AsSpan().SequenceEqual(generic[f.Key]), $"{f.Key} differs between the two readers"));
    }

    private static Dictionary<string, byte[]> TableFiles(byte[] zip) =>
        ParquetFiles.ZipEntries(zip).Where(e => e.Key.StartsWith("tables/", StringComparison.Ordinal)).ToDictionary();

    [Fact]
    public async Task DuckDB_sees_the_models_types_timestamps_in_utc_decimals_with_their_digits_and_json_as_json()
    {
        var folder = await ParquetFolderAsync(new ExportRequest());
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        await using var db = Database.NewContext();
        var catalog = new ExportService(db).Catalog;
        var kinds = new HashSet<ValueKind>();
        foreach (var file in Directory.GetFiles(Path.Combine(folder, "tables")))
        {
            var table = catalog.Find(Path.GetFileNameWithoutExtension(file))!;
            var types = Types(duck, file);
            foreach (var column in table.ExportedColumns)
            {
                Assert.Equal(DuckType(column), types[column.Name]);
                kinds.Add(column.Kind);
            }

            Assert.DoesNotContain(table.SecretColumns, c => types.ContainsKey(c.Name));
        }

        Assert.Superset(new HashSet<ValueKind> { ValueKind.Text, ValueKind.Json, ValueKind.Guid, ValueKind.DateTime, ValueKind.Date, ValueKind.Boolean, ValueKind.Int32, ValueKind.Decimal }, kinds);
        var incidents = Path.Combine(folder, "tables", "incidents.parquet");
        var (count, earliest) = Query(duck, $"SELECT count(*), min(event_date_time) FROM read_parquet('{incidents}') WHERE event_date_time >= TIMESTAMPTZ '2000-01-01 00:00:00+00'", out _)
            .Select(r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), r[1])).Single();
        Assert.Equal(await db.Incidents.CountAsync(TestContext.Current.CancellationToken), count);
        Assert.Equal(ToMicroseconds(await db.Incidents.MinAsync(i => i.EventDateTime, TestContext.Current.CancellationToken)), Utc(earliest));

        // DuckDB skips row groups by their min/max statistics: a filter at a column's own minimum keeps every value.
        foreach (var (table, column) in new[] { ("incidents", "created_at"), ("ai_request_logs", "cost_usd"), ("participants", "date_of_birth"), ("ai_request_logs", "tokens_used") })
        {
            var file = Path.Combine(folder, "tables", table + ".parquet");
            var (values, minimum) = Query(duck, $"SELECT count({column}), min({column})::VARCHAR FROM read_parquet('{file}')", out _)
                .Select(r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), (string)r[1])).Single();
            var kept = Query(duck, $"SELECT count({column}) FROM read_parquet('{file}') WHERE {column} >= '{minimum}'", out _);
            Assert.True(values > 0, $"{table}.{column} has values");
            Assert.Equal(values, Convert.ToInt64(kept.Single()[0], CultureInfo.InvariantCulture));
        }
    }

    private static Dictionary<string, string> Types(DuckDBConnection duck, string file) =>
        Query(duck, $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{file}'))", out _)
            .ToDictionary(r => (string)r[0], r => (string)r[1]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_files_schema_has_the_logical_types_and_the_models_nullability(bool segment)
    {
        var request = segment ? await RequestAsync("segment") : new ExportRequest();
        var (metadataText, files) = await ParquetFiles.ReadZipAsync(
            await ExportRunner.BytesAsync(Database, request with { Format = ExportFormat.Parquet }, Options), TestContext.Current.CancellationToken);
        using var metadata = JsonDocument.Parse(metadataText);
        await using var db = Database.NewContext();
        var catalog = new ExportService(db).Catalog;

        var stubTables = metadata.RootElement.GetProperty("metadata").TryGetProperty("segment", out var s)
            ? s.GetProperty("stubRows").EnumerateObject().Select(p => p.Name).ToHashSet()
            : [];
        Assert.Equal(segment, stubTables.Count > 0);
        foreach (var (name, file) in files)
        {
            var table = catalog.Find(name)!;
            Assert.Equal(table.ExportedColumns.Select(c => c.Name), file.Columns.Select(c => c.Name));
            Assert.Equal(metadata.RootElement.GetProperty("metadata").GetProperty("recordCounts").GetProperty(name).GetInt64(), file.Footer.NumRows);
            Assert.Equal(file.Footer.NumRows, file.Rows.Count);
            foreach (var (column, element) in table.ExportedColumns.Zip(file.Columns))
            {
                var where = $"{name}.{column.Name}";
                // A stub row reads its personal and free-text columns as null, so in a table that can hold stubs those may be null.
                var mayBeBlanked = stubTables.Contains(name) && column.Classification is DataClass.Personal or DataClass.FreeText;
                Assert.True(
                    (column.Nullable || mayBeBlanked ? FieldRepetitionType.OPTIONAL : FieldRepetitionType.REQUIRED) == element.RepetitionType,
                    $"{where}: {element.RepetitionType}");
                AssertLogicalType(column, element, where);
            }
        }
    }

    // Prose goes into Parquet as its stored UTF-8; a stored value that is not UTF-8 must still read as the JSON export's text.
    [Fact]
    public async Task Prose_stored_as_invalid_utf8_reads_in_parquet_as_the_json_exports_text()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DemoSets.Small, cancel);
        database.Execute(
            "UPDATE incident_narratives SET before_event = CAST(X'5A6FC3AB20FF2061667465722080C3' AS TEXT) WHERE id = (SELECT id FROM incident_narratives ORDER BY id LIMIT 1)");
        var request = new ExportRequest { Tables = ["incident_narratives"], Closure = false };
        using var json = JsonDocument.Parse(await ExportRunner.BytesAsync(database, request, Options, cancel));
        var first = json.RootElement.GetProperty("data").GetProperty("incident_narratives")[0];
        var expected = first.GetProperty("before_event").GetString()!;
        Assert.Equal("Zoë \uFFFD after \uFFFD\uFFFD", expected);

        var folder = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        ZipFile.ExtractToDirectory(new MemoryStream(await ExportRunner.BytesAsync(database, request with { Format = ExportFormat.Parquet }, Options, cancel)), folder);
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        var file = Path.Combine(folder, "tables", "incident_narratives.parquet");
        var actual = Query(duck, $"SELECT before_event FROM read_parquet('{file}') WHERE id = '{first.GetProperty("id").GetString()}'", out _).Single()[0];
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_deidentified_parquet_export_passes_the_same_identifier_scan_as_the_json_one()
    {
        var (_, files) = await ParquetFiles.ReadZipAsync(
            await ExportRunner.BytesAsync(Database, new ExportRequest { Deidentify = true, Format = ExportFormat.Parquet }), TestContext.Current.CancellationToken);
        var text = string.Concat(files.Values.Select(f => f.Text()));
        var identified = string.Concat((await ParquetFiles.ReadZipAsync(
            await ExportRunner.BytesAsync(Database, new ExportRequest { Format = ExportFormat.Parquet }), TestContext.Current.CancellationToken)).Tables.Values.Select(f => f.Text()));

        Assert.Empty(await DeidentifiedExportTests.LeakedIdentifiersAsync(Database, text));
        // The scan sees the values: the same files, not de-identified, hold every kind of identifier.
        Assert.True((await DeidentifiedExportTests.LeakedIdentifiersAsync(Database, identified)).Count > 150);
        var birth = files["participants"].Columns.Single(c => c.Name == "date_of_birth");
        Assert.NotNull(birth.LogicalType?.STRING);
        Assert.All(files["participants"].Rows, r => Assert.Matches("^[0-9]{4}$", (string)r["date_of_birth"]));
    }

    [Fact]
    public async Task Parquet_is_estimated_and_written_at_under_a_quarter_of_the_json()
    {
        await using var db = Database.NewContext();
        var preview = await new ExportService(db, TestClock.Create()).PreviewAsync(new ExportRequest { Format = ExportFormat.Parquet }, TestContext.Current.CancellationToken);
        var parquet = (await ExportRunner.BytesAsync(Database, new ExportRequest { Format = ExportFormat.Parquet })).LongLength;
        var json = (await ExportRunner.BytesAsync(Database)).LongLength;

        Assert.True(preview.EstimatedBytes < preview.EstimatedBytesByFormat[ExportFormat.Json] / 4, "estimated at under a quarter of the JSON");
        Assert.True(parquet < json / 4, $"{parquet} bytes of Parquet for {json} of JSON");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<ExportRequest> RequestAsync(string kind)
    {
        await using var db = Database.NewContext();
        return kind switch
        {
            "deidentified" => new ExportRequest { Deidentify = true },
            "segment" => new ExportRequest
            {
                Companies = [await db.Companies.OrderBy(c => c.Name).Select(c => c.Id).FirstAsync(TestContext.Current.CancellationToken)],
            },
            _ => new ExportRequest(),
        };
    }

    private async Task<string> ParquetFolderAsync(ExportRequest request)
    {
        var folder = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        var zip = await ExportRunner.BytesAsync(Database, request with { Format = ExportFormat.Parquet }, Options);
        ZipFile.ExtractToDirectory(new MemoryStream(zip), folder);
        return folder;
    }

    private static List<object[]> Query(DuckDBConnection duck, string sql, out List<string> names)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The JSON export's value and DuckDB's, compared as values: timestamps to the microsecond, decimals exactly, JSON as JSON.</summary>
    private static bool Same(JsonElement expected, object actual, bool json) => actual switch
    {
        DBNull => expected.ValueKind == JsonValueKind.Null,
        _ when expected.ValueKind == JsonValueKind.Null => false,
        string text when json => JsonElement.DeepEquals(expected, JsonDocument.Parse(text).RootElement),
        string text => expected.ValueKind == JsonValueKind.String && expected.GetString() == text,
        DateTime or DateTimeOffset => expected.ValueKind == JsonValueKind.String && ToMicroseconds(
            DateTime.Parse(expected.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)) == Utc(actual),
        DateOnly date => expected.GetString() == date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal number => expected.ValueKind == JsonValueKind.Number && expected.GetDecimal() == number,
        bool flag => expected.ValueKind == (flag ? JsonValueKind.True : JsonValueKind.False),
        double number => expected.ValueKind == JsonValueKind.Number && expected.GetDouble() == number,
        byte[] bytes => expected.GetBytesFromBase64().SequenceEqual(bytes),
        sbyte or short or int or long => expected.ValueKind == JsonValueKind.Number && expected.GetInt64() == Convert.ToInt64(actual, CultureInfo.InvariantCulture),
        _ => false,
    };

    // Parquet timestamps hold microseconds; the JSON export keeps the stored 100-ns ticks.
    private static DateTime ToMicroseconds(DateTime value) => new(value.Ticks - (value.Ticks % 10), DateTimeKind.Utc);

    private static DateTime Utc(object value) => value switch
    {
        DateTimeOffset offset => offset.UtcDateTime,
        DateTime { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        DateTime time => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => throw new InvalidCastException($"{value.GetType().Name} is not a timestamp"),
    };

    private static string DuckType(ExportColumn column) => column.Kind switch
    {
        ValueKind.Json => "JSON",
        ValueKind.DateTime or ValueKind.DateTimeOffset => "TIMESTAMP WITH TIME ZONE",
        ValueKind.Date => "DATE",
        ValueKind.Boolean => "BOOLEAN",
        ValueKind.Int32 => "INTEGER",
        ValueKind.Int64 => "BIGINT",
        ValueKind.Double => "DOUBLE",
        ValueKind.Decimal => $"DECIMAL({column.DecimalDigits!.Value.Precision},{column.DecimalDigits.Value.Scale})",
        ValueKind.Binary => "BLOB",
        _ => "VARCHAR",
    };

    private static void AssertLogicalType(ExportColumn column, SchemaElement element, string where)
    {
        var logical = element.LogicalType;
        switch (column.Kind)
        {
            case ValueKind.Json:
                Assert.True(logical?.JSON is not null && element.Type == Parquet.Meta.Type.BYTE_ARRAY, $"{where}: JSON");
                break;
            case ValueKind.DateTime or ValueKind.DateTimeOffset:
                Assert.True(logical?.TIMESTAMP is { IsAdjustedToUTC: true, Unit.MICROS: not null }, $"{where}: timestamp(micros, UTC)");
                break;
            case ValueKind.Date:
                Assert.True(logical?.DATE is not null, $"{where}: DATE");
                break;
            case ValueKind.Decimal:
                Assert.True(logical?.DECIMAL is { Precision: 18, Scale: 6 }, $"{where}: DECIMAL(18,6)");
                break;
            case ValueKind.Boolean:
                Assert.Equal(Parquet.Meta.Type.BOOLEAN, element.Type);
                break;
            case ValueKind.Int32 or ValueKind.Int64:
                Assert.True(logical?.INTEGER is { IsSigned: true } integer && integer.BitWidth == (column.Kind == ValueKind.Int32 ? 32 : 64), $"{where}: integer");
                break;
            case ValueKind.Text or ValueKind.Guid:
                Assert.True(logical?.STRING is not null, $"{where}: STRING");
                break;
        }
    }
}

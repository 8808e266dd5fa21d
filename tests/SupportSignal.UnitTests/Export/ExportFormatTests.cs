using System.IO.Compression;
using System.Text;
using System.Text.Json;

using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

public sealed class ExportFormatTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private TestDatabase Database => seeded.Database;

    [Fact]
    public async Task Json_gz_is_the_same_document_compressed()
    {
        var json = await ExportRunner.BytesAsync(Database);
        var gz = await ExportRunner.BytesAsync(Database, new ExportRequest { Format = ExportFormat.JsonGz });
        Assert.Equal(0x1f, gz[0]);
        Assert.Equal(0x8b, gz[1]);
        Assert.True(gz.Length < json.Length / 3, $"{gz.Length} compressed vs {json.Length}");

        using var inflated = new MemoryStream();
        await using (var gzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(inflated);
        }

        Assert.True(json.AsSpan().SequenceEqual(inflated.ToArray()));
    }

    [Fact]
    public async Task Zip_holds_the_metadata_and_one_json_lines_file_per_table_with_the_same_rows()
    {
        using var document = await ExportRunner.DocumentAsync(Database);
        var zipBytes = await ExportRunner.BytesAsync(Database, new ExportRequest { Format = ExportFormat.Zip });
        using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);

        var tables = document.RootElement.GetProperty("data").EnumerateObject().ToList();
        Assert.Equal(
            new[] { "metadata.json" }.Concat(tables.Select(t => $"tables/{t.Name}.jsonl")),
            zip.Entries.Select(e => e.FullName));

        using (var metadata = JsonDocument.Parse(zip.GetEntry("metadata.json")!.Open()))
        {
            Assert.Equal(
                document.RootElement.GetProperty("metadata").GetRawText(),
                metadata.RootElement.GetProperty("metadata").GetRawText());
        }

        foreach (var table in tables)
        {
            using var reader = new StreamReader(zip.GetEntry($"tables/{table.Name}.jsonl")!.Open(), Encoding.UTF8);
            var lines = (await reader.ReadToEndAsync()).Split('\n');
            Assert.Equal("", lines[^1]); // every row ends with a newline
            var rows = table.Value.EnumerateArray().Select(r => r.GetRawText()).ToList();
            Assert.Equal(rows, lines[..^1]);
        }
    }

    [Theory]
    [InlineData(ExportFormat.Json)]
    [InlineData(ExportFormat.JsonGz)]
    [InlineData(ExportFormat.Zip)]
    [InlineData(ExportFormat.Parquet)]
    public async Task The_preview_counts_match_and_its_size_estimate_is_within_a_quarter_of_the_real_file(ExportFormat format)
    {
        var request = new ExportRequest { Format = format };
        await using var db = Database.NewContext();
        var preview = await new ExportService(db, TestClock.Create()).PreviewAsync(request);
        var actual = await ExportRunner.BytesAsync(Database, request);

        Assert.Equal(Database.Scalar("SELECT COUNT(*) FROM incidents"), preview.RecordCounts["incidents"]);
        var ratio = (double)preview.EstimatedBytes / actual.Length;
        Assert.InRange(ratio, 0.75, 1.25);
    }

    [Theory]
    [InlineData("json", ExportFormat.Json, "supportsignal-db-export-2026-11-26-0930.json", "application/json; charset=utf-8")]
    [InlineData("JSON.GZ", ExportFormat.JsonGz, "supportsignal-db-export-2026-11-26-0930.json.gz", "application/gzip")]
    [InlineData(" zip ", ExportFormat.Zip, "supportsignal-db-export-2026-11-26-0930.zip", "application/zip")]
    [InlineData("Parquet", ExportFormat.Parquet, "supportsignal-db-export-2026-11-26-0930.parquet.zip", "application/zip")]
    public void Formats_parse_and_name_their_files_in_utc(string text, ExportFormat format, string fileName, string contentType)
    {
        Assert.Equal(format, ExportFormats.Parse(text));
        Assert.Equal(fileName, format.FileName(TestClock.Now.UtcDateTime));
        Assert.Equal(contentType, format.ContentType());
    }

    [Fact]
    public void An_unknown_format_is_refused_with_the_valid_ones_listed()
    {
        var error = Assert.Throws<ExportRequestException>(() => ExportFormats.Parse("xml\u0000; DROP TABLE users"));
        Assert.Equal("format", error.Field);
        Assert.Contains("json, json.gz, zip", error.Message);
        Assert.Contains("\\u0000", error.Message);
    }
}

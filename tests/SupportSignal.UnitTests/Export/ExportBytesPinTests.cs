using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;

using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

/// <summary>
/// Pins the engine's output on the seeded demo data: the SHA-256 of every format of a full, a
/// de-identified (fixed pseudonym key) and a segmented export, and the preview's estimates,
/// recorded from the engine before its refactor. Any change in what an export writes fails here.
/// A deliberate change of the output re-pins these values and says so in its commit.
/// </summary>
public sealed class ExportBytesPinTests(SeededDatabase seeded) : IClassFixture<SeededDatabase>
{
    private const string PseudonymKey = "pin-test-pseudonym-key";

    // Case name → SHA-256 of the content (json: the file; json.gz: the decompressed document; zip: each
    // entry's name and bytes, in order) and of the container (the file itself; a zip with its entries'
    // timestamps, which the zip writer takes from the wall clock, zeroed).
    private static readonly Dictionary<string, (string Content, string Container)> Expected = new()
    {
        ["full.json"] = ("78041e9a7e995c4996f4c3a705886b4f0645ff6594492abdb9c6c86da6ec2631", "78041e9a7e995c4996f4c3a705886b4f0645ff6594492abdb9c6c86da6ec2631"),
        ["full.json.gz"] = ("78041e9a7e995c4996f4c3a705886b4f0645ff6594492abdb9c6c86da6ec2631", "289a777d0bb285f3489c23adcca7c484008e9ea24450a7e4a8e95b02bfb8ecc5"),
        ["full.zip"] = ("97caa8800b3b28b17686c3d0e0dbfaf2c54bf03c5aefb29259fb58ac1355a492", "6cf936e144b2d4c82271691e781cf76a274a933df10924ce65bdc73798dceb99"),
        ["deidentified.json"] = ("55d2d1e55fb786b98767eb32217c7e2e8f7542baafa46199301e2ecad01a9d72", "55d2d1e55fb786b98767eb32217c7e2e8f7542baafa46199301e2ecad01a9d72"),
        ["deidentified.json.gz"] = ("55d2d1e55fb786b98767eb32217c7e2e8f7542baafa46199301e2ecad01a9d72", "f1c465886b47fa4b08567f012bfdcd71a332f02cb4947a26c4f5423eaf474f90"),
        ["deidentified.zip"] = ("0498848b3383151f3ca7e79bf58a4fca4d8f24166966bea64590df79771d94c7", "703c7f246da7c4eaf8660cf91b4c3649885da2aeabc5e83607bcec6306e4a68f"),
        ["segment.json"] = ("3ca2b185d8958d4e3032ce5b10328224568e88db6332f3214ac01f40eb18decf", "3ca2b185d8958d4e3032ce5b10328224568e88db6332f3214ac01f40eb18decf"),
        ["segment.json.gz"] = ("3ca2b185d8958d4e3032ce5b10328224568e88db6332f3214ac01f40eb18decf", "bdb20b7978d9d87261f094cab91de495a4981bb4115a3ad81605a74695c2404c"),
        ["segment.zip"] = ("db84fbd52c6adfe8073bf08f8120141c264478fd89a2ad61d25c91148b4922ab", "8baeab296c840562b1ecc860d2bfea6acb069fe14c4e2e44a12c9c4c14bf3479"),
        ["segment-no-closure-deidentified.json"] = ("03945dca87b7ed54dafcc2ba82adf5fb3e375c6e118098418a2d94f5030fe6d4", "03945dca87b7ed54dafcc2ba82adf5fb3e375c6e118098418a2d94f5030fe6d4"),
        ["full-generic-path.json"] = ("78041e9a7e995c4996f4c3a705886b4f0645ff6594492abdb9c6c86da6ec2631", "78041e9a7e995c4996f4c3a705886b4f0645ff6594492abdb9c6c86da6ec2631"),
        ["deidentified-generic-path.json"] = ("55d2d1e55fb786b98767eb32217c7e2e8f7542baafa46199301e2ecad01a9d72", "55d2d1e55fb786b98767eb32217c7e2e8f7542baafa46199301e2ecad01a9d72"),
    };

    // Case name → estimated size the preview reports.
    private static readonly Dictionary<string, long> ExpectedEstimates = new()
    {
        ["full.json"] = 4411342,
        ["full.json.gz"] = 328085,
        ["full.zip"] = 333885,
        ["segment.json"] = 474961,
        ["deidentified.json.gz"] = 332508,
    };

    public static TheoryData<string> Cases => new(CaseNames);

    private static readonly string[] CaseNames =
    [
        "full.json", "full.json.gz", "full.zip",
        "deidentified.json", "deidentified.json.gz", "deidentified.zip",
        "segment.json", "segment.json.gz", "segment.zip",
        "segment-no-closure-deidentified.json", "full-generic-path.json", "deidentified-generic-path.json",
    ];

    private TestDatabase Database => seeded.Database;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_export_writes_exactly_the_pinned_bytes(string name)
    {
        var (request, options) = await CaseAsync(name);
        var bytes = await ExportRunner.BytesAsync(Database, request, options, TestContext.Current.CancellationToken);
        AssertPinned(name, request, bytes);
    }

    // The CLI's engine input: a plain connection, the stored catalog, and (for a segment) the compiled model's literals.
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_export_without_an_EF_Core_context_writes_exactly_the_same_pinned_bytes(string name)
    {
        var (request, options) = await CaseAsync(name);
        using var output = new MemoryStream();
        var database = ExportDatabase.Over(Database.Settings with { CompiledModel = true });
        await new ExportService(database, TestClock.Create(), options).ExportAsync(request, output, TestContext.Current.CancellationToken);
        AssertPinned(name, request, output.ToArray());
    }

    private static void AssertPinned(string name, ExportRequest request, byte[] bytes)
    {
        var actual = (Content: ContentHash(request.Format, bytes), Container: ContainerHash(request.Format, bytes));

        Assert.True(Expected.ContainsKey(name), $"no pinned value for {name}: (\"{actual.Content}\", \"{actual.Container}\")");
        Assert.True(Expected[name].Content == actual.Content, $"{name}: the exported content changed ({actual.Content}).");
        Assert.True(Expected[name].Container == actual.Container,
            $"{name}: the content is the same but the {request.Format.Extension()} container's bytes changed ({actual.Container}): compressor or zip layout.");
    }

    [Theory]
    [InlineData("full.json")]
    [InlineData("full.json.gz")]
    [InlineData("full.zip")]
    [InlineData("segment.json")]
    [InlineData("deidentified.json.gz")]
    public async Task The_preview_estimates_exactly_the_pinned_size(string name)
    {
        var (request, options) = await CaseAsync(name);
        await using var db = Database.NewContext();
        var preview = await new ExportService(db, TestClock.Create(), options).PreviewAsync(request, TestContext.Current.CancellationToken);

        Assert.True(ExpectedEstimates.TryGetValue(name, out var expected), $"no pinned estimate for {name}: {preview.EstimatedBytes}");
        Assert.Equal(expected, preview.EstimatedBytes);
    }

    private async Task<(ExportRequest Request, ExportEngineOptions Options)> CaseAsync(string name)
    {
        var format = ExportFormats.Parse(name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..]);
        var options = new ExportEngineOptions { PseudonymKey = PseudonymKey, UseSqliteFastPath = !name.Contains("generic", StringComparison.Ordinal) };
        var request = new ExportRequest { Format = format, ExportedBy = "pin-test", Deidentify = name.Contains("deidentified", StringComparison.Ordinal) };
        if (name.StartsWith("segment", StringComparison.Ordinal))
        {
            await using var db = Database.NewContext();
            var company = await db.Companies.OrderBy(c => c.Name).Select(c => c.Id).FirstAsync(TestContext.Current.CancellationToken);
            request = request with { Companies = [company], From = new DateOnly(2024, 3, 1), To = new DateOnly(2025, 9, 30) };
            if (name.Contains("no-closure", StringComparison.Ordinal))
            {
                request = request with { Closure = false, Tables = ["incidents", "incident_narratives", "participants", "debug_logs", "ai_request_logs"] };
            }
        }

        return (request, options);
    }

    private static string ContentHash(ExportFormat format, byte[] bytes)
    {
        switch (format)
        {
            case ExportFormat.JsonGz:
                using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
                using (var plain = new MemoryStream())
                {
                    gzip.CopyTo(plain);
                    return Hex(plain.ToArray());
                }

            case ExportFormat.Zip:
                using (var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read))
                using (var all = new MemoryStream())
                {
                    foreach (var entry in zip.Entries)
                    {
                        all.Write(System.Text.Encoding.UTF8.GetBytes(entry.FullName + "\n"));
                        using var stream = entry.Open();
                        stream.CopyTo(all);
                    }

                    return Hex(all.ToArray());
                }

            default:
                return Hex(bytes);
        }
    }

    private static string ContainerHash(ExportFormat format, byte[] bytes)
    {
        if (format != ExportFormat.Zip)
        {
            return Hex(bytes);
        }

        // End of central directory (no comment): entry count at +10, directory offset at +16. Each
        // central entry has its DOS time and date at +12 and its local header's offset at +42; a
        // local header has them at +10.
        var copy = bytes.ToArray();
        var end = copy.Length - 22;
        Assert.Equal(0x06054b50u, BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(end)));
        var entries = BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(end + 10));
        var at = (int)BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(end + 16));
        for (var i = 0; i < entries; i++)
        {
            Assert.Equal(0x02014b50u, BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(at)));
            copy.AsSpan(at + 12, 4).Clear();
            var local = (int)BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(at + 42));
            Assert.Equal(0x04034b50u, BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(local)));
            copy.AsSpan(local + 10, 4).Clear();
            at += 46 + BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(at + 28)) + BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(at + 30))
                + BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(at + 32));
        }

        return Hex(copy);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

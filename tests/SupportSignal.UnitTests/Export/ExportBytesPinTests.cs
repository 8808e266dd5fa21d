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
        ["full.json"] = ("5c36cb39f7daa9e61becf6a9f57ba7fbe105dfbd9330cbc4806ae1a404ee92d0", "5c36cb39f7daa9e61becf6a9f57ba7fbe105dfbd9330cbc4806ae1a404ee92d0"),
        ["full.json.gz"] = ("5c36cb39f7daa9e61becf6a9f57ba7fbe105dfbd9330cbc4806ae1a404ee92d0", "78969106d4d25a6f72877fc875a9c6ede5dc8c33a320fedb8fbe8b3ce70ad1ed"),
        ["full.zip"] = ("f358adbee498467db46ce86825e828cbbd42237c8edfd0773ef56716ee77937f", "0c34f71f5bbdfcfd94cbcddc272dc080f98730d1a6cf1f8fbc4d8c3b8e373f3e"),
        ["deidentified.json"] = ("78a04d647096f44a64ce7a738fb1655ba2922d25764a579f2466d74736a3e732", "78a04d647096f44a64ce7a738fb1655ba2922d25764a579f2466d74736a3e732"),
        ["deidentified.json.gz"] = ("78a04d647096f44a64ce7a738fb1655ba2922d25764a579f2466d74736a3e732", "184b2420283ea5d6ec28e5e756964bc4f6a31279bd1c47ca8fe271493c92c894"),
        ["deidentified.zip"] = ("658657a5e8c13e460ef58192c2affd276b625c2de681f7896487663979a67710", "c92894c037fa3cbf5118c9ed13d944bfd71e3e8214e0dddb11fa9fe2b705e77d"),
        ["segment.json"] = ("58b333a9603e379e0212b894a62cdd2c16489a411c2947fce81f7d653af1819e", "58b333a9603e379e0212b894a62cdd2c16489a411c2947fce81f7d653af1819e"),
        ["segment.json.gz"] = ("58b333a9603e379e0212b894a62cdd2c16489a411c2947fce81f7d653af1819e", "2f111dbbf656f1a42be5b90e7a786faf07963747ec63c7974343f3e8c408cbce"),
        ["segment.zip"] = ("c9ec5a6929e8d2c1dc9002e9ca02a6abd6ed1e8d8ba27327075d1cbd9f897bb8", "386664c17fa894a0926a2243b13c9351dc8df34a8366ca65fcf2fdeced0167dc"),
        ["segment-no-closure-deidentified.json"] = ("64e8a3e25b04f459f470759635b4f0f6ad829ffaced335f36fa7425cd30bd319", "64e8a3e25b04f459f470759635b4f0f6ad829ffaced335f36fa7425cd30bd319"),
        ["full-generic-path.json"] = ("5c36cb39f7daa9e61becf6a9f57ba7fbe105dfbd9330cbc4806ae1a404ee92d0", "5c36cb39f7daa9e61becf6a9f57ba7fbe105dfbd9330cbc4806ae1a404ee92d0"),
        ["deidentified-generic-path.json"] = ("78a04d647096f44a64ce7a738fb1655ba2922d25764a579f2466d74736a3e732", "78a04d647096f44a64ce7a738fb1655ba2922d25764a579f2466d74736a3e732"),
    };

    // Case name → estimated size the preview reports.
    private static readonly Dictionary<string, long> ExpectedEstimates = new()
    {
        ["full.json"] = 4411110,
        ["full.json.gz"] = 327826,
        ["full.zip"] = 333716,
        ["segment.json"] = 475769,
        ["deidentified.json.gz"] = 332211,
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

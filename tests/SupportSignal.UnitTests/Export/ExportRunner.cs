using System.Text.Json;

using SupportSignal.Export;

namespace SupportSignal.UnitTests.Export;

/// <summary>Runs the real engine over a test database and hands back the bytes and the parsed document.</summary>
public static class ExportRunner
{
    public static async Task<byte[]> BytesAsync(
        TestDatabase database, ExportRequest? request = null, ExportEngineOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var db = database.NewContext();
        using var output = new MemoryStream();
        await new ExportService(db, TestClock.Create(), options).ExportAsync(request ?? new ExportRequest(), output, cancellationToken);
        return output.ToArray();
    }

    public static async Task<JsonDocument> DocumentAsync(TestDatabase database, ExportRequest? request = null) =>
        JsonDocument.Parse(await BytesAsync(database, request));
}

using System.Globalization;

namespace SupportSignal.Export;

/// <summary>The shapes an export can be written in; all carry the same metadata and rows.</summary>
public enum ExportFormat
{
    /// <summary>One metadata-plus-data JSON document.</summary>
    Json,

    /// <summary>The same document, gzip-compressed while streaming.</summary>
    JsonGz,

    /// <summary>A zip of <c>metadata.json</c> and one <c>tables/&lt;name&gt;.jsonl</c> per table.</summary>
    Zip,

    /// <summary>
    /// A zip of <c>metadata.json</c> and one typed, compressed <c>tables/&lt;name&gt;.parquet</c> per
    /// table (the CLI can write the same files into a folder instead).
    /// </summary>
    Parquet,
}

/// <summary>File names, extensions and content types of each format, and parsing of user input.</summary>
public static class ExportFormats
{
    public const string FileNamePrefix = "supportsignal-db-export-";

    public static IReadOnlyList<string> Names { get; } = ["json", "json.gz", "zip", "parquet"];

    public static string Extension(this ExportFormat format) => format switch
    {
        ExportFormat.JsonGz => "json.gz",
        ExportFormat.Zip => "zip",
        ExportFormat.Parquet => "parquet.zip",
        _ => "json",
    };

    public static string ContentType(this ExportFormat format) => format switch
    {
        ExportFormat.JsonGz => "application/gzip",
        ExportFormat.Zip or ExportFormat.Parquet => "application/zip",
        _ => "application/json; charset=utf-8",
    };

    public const string SegmentSuffix = "-segment";

    /// <summary><c>supportsignal-db-export-YYYY-MM-DD-HHmm.json</c> in UTC; a segment ends <c>-segment.json</c>.</summary>
    public static string FileName(this ExportFormat format, DateTime exportedAtUtc, bool segmented = false) =>
        FileNamePrefix + exportedAtUtc.ToString("yyyy-MM-dd-HHmm", CultureInfo.InvariantCulture) + (segmented ? SegmentSuffix : "") + "." + format.Extension();

    /// <summary>The file name for this request's export started at <paramref name="exportedAtUtc"/>.</summary>
    public static string FileName(this ExportRequest request, DateTime exportedAtUtc) =>
        request.Deidentify
            ? request.Format.FileName(exportedAtUtc, request.IsSegmented).Replace("." + request.Format.Extension(), DeidentifiedSuffix + "." + request.Format.Extension(), StringComparison.Ordinal)
            : request.Format.FileName(exportedAtUtc, request.IsSegmented);

    public const string DeidentifiedSuffix = "-deidentified";

    /// <summary>Parses "json", "json.gz", "zip" or "parquet" (case-insensitive); anything else names the problem.</summary>
    public static ExportFormat Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "json" or null or "" => ExportFormat.Json,
        "json.gz" or "gz" or "gzip" => ExportFormat.JsonGz,
        "zip" => ExportFormat.Zip,
        "parquet" or "parquet.zip" => ExportFormat.Parquet,
        _ => throw new ExportRequestException("format",
            $"Unknown format {InputText.Quote(text!)}. Valid formats: {string.Join(", ", Names)}."),
    };
}

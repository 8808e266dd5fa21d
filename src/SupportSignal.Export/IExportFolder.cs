namespace SupportSignal.Export;

/// <summary>
/// A folder a Parquet export writes its files into instead of one zip stream (the CLI's
/// <c>--format parquet --output DIR</c>): <c>metadata.json</c> and <c>tables/&lt;name&gt;.parquet</c>.
/// </summary>
public interface IExportFolder
{
    /// <summary>Creates the file at a relative path with <c>/</c> separators, making its folders as needed.</summary>
    Task<Stream> CreateFileAsync(string path, CancellationToken cancellationToken);
}

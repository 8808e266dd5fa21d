namespace SupportSignal.Export;

/// <summary>Engine switches; the defaults are what production uses.</summary>
public sealed record ExportEngineOptions
{
    /// <summary>
    /// Use the provider's fast row path (byte-identical to the generic data reader): on SQLite the
    /// statement's own UTF-8 bytes, on PostgreSQL a binary COPY parsed by the engine. The name predates
    /// the PostgreSQL path; false forces the data reader on every provider (the tests compare the two).
    /// </summary>
    public bool UseSqliteFastPath { get; init; } = true;

    /// <summary>
    /// Export:PseudonymKey: a secret that makes de-identified pseudonyms the same across exports.
    /// Null gives every export a fresh random key, so two exports cannot be linked.
    /// </summary>
    public string? PseudonymKey { get; init; }

    /// <summary>
    /// Export:Parallelism: how many connections may read one export's snapshot at once (the CLI's
    /// <c>--parallel N</c>). 1 reads every table on the export's own connection; <see cref="ProviderDefault"/>
    /// (unset) takes the provider's default, <see cref="DefaultParallelism"/> (docs/benchmarks.md found two
    /// readers fastest on two cores, on PostgreSQL and SQLite alike). Used where the dialect
    /// can share a snapshot between sessions (PostgreSQL; SQLite in WAL mode), for a json or Parquet export (and
    /// json.gz on PostgreSQL) of whole tables, de-identified or not; elsewhere the export reads
    /// serially whatever this says.
    /// </summary>
    public int Parallelism { get; init; } = ProviderDefault;

    /// <summary>Parallelism left to the provider's default.</summary>
    public const int ProviderDefault = 0;

    /// <summary>
    /// Export:SpillDirectory: where a parallel export's readers spill tables they read ahead of the
    /// writer (owner-only files, deleted when closed, also when the export fails). Null is the
    /// system's temporary folder. The files hold rows as they go out, so choose a private volume.
    /// </summary>
    public string? SpillDirectory { get; init; }

    /// <summary>The number of cores, at most 4: more readers than cores only queue for the writer.</summary>
    public static int DefaultParallelism { get; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    public const int MaxParallelism = 16;


    /// <summary>The name of the request field for Export:Parallelism and <c>--parallel</c>.</summary>
    public const string ParallelismField = "parallel";

    /// <summary>Reads Export:Parallelism or <c>--parallel</c>: empty is the provider's default, else a whole number 1-16.</summary>
    public static int ParseParallelism(string? text) =>
        string.IsNullOrWhiteSpace(text) ? ProviderDefault
        : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxParallelism ? n
        : throw new ExportRequestException(ParallelismField, $"Parallelism must be a whole number from 1 to {MaxParallelism}, not '{Truncate(text)}'.");

    private static string Truncate(string text) => text.Length > 20 ? text[..20] + "…" : text;

    // The key must never reach a log line through the record's generated ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"UseSqliteFastPath = {UseSqliteFastPath}, PseudonymKey = {(PseudonymKey is null ? "none" : "(set)")}, Parallelism = {Parallelism}, SpillDirectory = {SpillDirectory ?? "(temp)"}");
        return true;
    }
}

using System.Data.Common;

namespace SupportSignal.Export;

/// <summary>
/// The one vocabulary of <c>export_audit.error_code</c>, whoever ran the export (the page or the
/// CLI): short, stable, snake_case codes that say why an attempt did not succeed, never row data
/// or an exception's text. docs/architecture.md lists them with their outcome.
/// </summary>
public static class ExportErrorCodes
{
    /// <summary>Rejected: a field of the request (form field or CLI flag) is not valid; the field follows the colon.</summary>
    public const string BadInputPrefix = "bad_input:";

    /// <summary>Rejected: too many exports at once (the page's limiter).</summary>
    public const string Busy = "busy";

    /// <summary>Rejected: a copy to the clipboard whose estimated size is above the page's clipboard limit (2 MB by default).</summary>
    public const string TooLargeForClipboard = "too_large_for_clipboard";

    /// <summary>Cancelled: the client went away (closed tab, dropped connection) or the run was interrupted (Ctrl-C).</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Failed: the database could not be used, or is not at this version's schema. Nothing was written.</summary>
    public const string DatabaseUnavailable = "database_unavailable";

    /// <summary>Failed before any byte reached the receiver; the caller can still say so in place of the file.</summary>
    public const string FailedBeforeFirstByte = "failed_before_first_byte";

    /// <summary>Failed after the first byte; the receiver's copy is incomplete and was aborted (web) or deleted (CLI).</summary>
    public const string FailedMidStream = "failed_mid_stream";

    /// <summary>Failed: the destination refused a write (disk full, file too large, closed pipe).</summary>
    public const string OutputNotWritable = "output_not_writable";

    public static string BadInput(string field) => BadInputPrefix + field;

    /// <summary>The code of an export that failed (not cancelled, not rejected).</summary>
    public static string ForFailure(Exception error, bool started) =>
        error is ExportOutputException ? OutputNotWritable
        : started ? FailedMidStream
        : error is ExportSchemaException || IsDatabaseUnavailable(error) ? DatabaseUnavailable
        : FailedBeforeFirstByte;

    /// <summary>
    /// A database that cannot be used (file gone, server down, permission revoked), as opposed to a
    /// bug: "unavailable, try again" rather than "something went wrong".
    /// </summary>
    public static bool IsDatabaseUnavailable(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is DbException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Writing the export's output failed (disk full, file too large, pipe closed, permission).</summary>
public class ExportOutputException : IOException
{
    public ExportOutputException(Exception inner)
        : base(inner.Message, inner)
    {
    }

    protected ExportOutputException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// A parallel export could not spill a table read ahead of the writer to its spill folder: a local
/// write failing like the output's, named for what to change.
/// </summary>
public sealed class ExportSpillException(string directory, Exception inner) : ExportOutputException(
    $"spilling rows read ahead to {directory} failed ({inner.Message}); point Export:SpillDirectory at a folder with room, or read with one connection (--parallel 1)",
    inner);

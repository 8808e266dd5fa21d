using SupportSignal.Export;

namespace SupportSignal.Web.Infrastructure;

/// <summary>
/// Tells a database that cannot be used (file gone, server down, permission revoked) from a bug, so
/// the user gets "unavailable, try again" (503) instead of "something went wrong" (500).
/// </summary>
public static class DatabaseErrors
{
    public static int StatusCodeFor(Exception exception) =>
        ExportErrorCodes.IsDatabaseUnavailable(exception) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
}

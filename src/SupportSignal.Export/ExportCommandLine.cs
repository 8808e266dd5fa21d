using System.Globalization;

namespace SupportSignal.Export;

/// <summary>
/// The <c>supportsignal export</c> line that asks for the same export as a request: the page's
/// "Copy command" button, for an export too big for a browser or one to run from cron. The flags
/// are the CLI's (filter flags are named after <see cref="ExportInput"/>'s fields); ids, dates and
/// table names need no quoting in any shell.
/// </summary>
public static class ExportCommandLine
{
    public const string Verb = "supportsignal export";

    public static string For(ExportRequest request)
    {
        var parts = new List<string> { Verb };
        Add(parts, ExportInput.CompanyField, request.Companies?.Select(id => id.ToString()));
        Add(parts, ExportInput.SiteField, request.Sites?.Select(id => id.ToString()));
        Add(parts, ExportInput.FromField, request.From is { } from ? [from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)] : null);
        Add(parts, ExportInput.ToField, request.To is { } to ? [to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)] : null);
        Add(parts, ExportInput.TablesField, request.Tables);
        if (request.IsSegmented && !request.Closure)
        {
            parts.Add("--no-closure");
        }

        if (request.Format != ExportFormat.Json)
        {
            parts.Add("--format " + request.Format.Extension());
        }

        if (request.Deidentify)
        {
            parts.Add("--deidentify");
        }

        return string.Join(' ', parts);
    }

    private static void Add(List<string> parts, string field, IEnumerable<string>? values)
    {
        if (values?.ToList() is { Count: > 0 } list)
        {
            parts.Add($"--{field} {string.Join(',', list)}");
        }
    }
}

using SupportSignal.Export;

namespace SupportSignal.Web.Infrastructure;

/// <summary>
/// The export form's fields and how their raw text becomes an <see cref="ExportRequest"/>: the
/// same rules for the page's query string, its posted forms and the rate limiter's audit of a
/// refused attempt. Bad input throws <see cref="ExportRequestException"/> naming the field.
/// </summary>
public static class ExportFields
{
    public const string Format = "Format";
    public const string Tables = "Tables";
    public const string Companies = "Companies";
    public const string Sites = "Sites";
    public const string From = "From";
    public const string To = "To";
    public const string Closure = "Closure";
    public const string Deidentify = "Deidentify";

    public static ExportRequest ToRequest(
        IEnumerable<string?>? tables, IEnumerable<string?>? companies, IEnumerable<string?>? sites, string? from, string? to,
        bool closure, bool deidentify, string? format, string exportedBy) =>
        ExportInput.Parse(tables, companies, sites, from, to, closure) with
        {
            Format = ExportFormats.Parse(format),
            Deidentify = deidentify,
            ExportedBy = exportedBy,
        };

    public static ExportRequest FromForm(IFormCollection form, string exportedBy) => ToRequest(
        form[Tables], form[Companies], form[Sites], form[From], form[To],
        IsOn(form[Closure], whenMissing: true), IsOn(form[Deidentify], whenMissing: false), form[Format], exportedBy);

    // A checked box with its hidden "false" companion posts "true,false": the first value wins.
    private static bool IsOn(Microsoft.Extensions.Primitives.StringValues values, bool whenMissing) =>
        values.Count == 0 ? whenMissing : bool.TryParse(values[0], out var on) && on;
}

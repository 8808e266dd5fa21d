using System.Globalization;

namespace SupportSignal.Export;

/// <summary>
/// Turns what a person typed (form fields, query strings, CLI flags) into request values. Every
/// value may be repeated or comma-separated; anything that does not parse is refused with an
/// <see cref="ExportRequestException"/> naming the field and quoting (safely) the bad value.
/// </summary>
public static class ExportInput
{
    public const string CompanyField = "company";
    public const string SiteField = "site";
    public const string FromField = "from";
    public const string ToField = "to";
    public const string TablesField = "tables";
    private const int MaxValues = 1_000;

    public static IReadOnlyList<Guid>? ParseIds(string field, IEnumerable<string?>? values)
    {
        var items = Split(field, values);
        if (items.Count == 0)
        {
            return null;
        }

        return items.Select(item => Guid.TryParseExact(item, "D", out var id) || Guid.TryParseExact(item, "N", out id)
                ? id
                : throw new ExportRequestException(field, $"{Label(field)} {InputText.Quote(item)} is not a valid id; ids look like 018cc251-f523-79be-8d97-e67cb68c9537."))
            .Distinct()
            .ToList();
    }

    public static DateOnly? ParseDate(string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ExportRequestException(field, $"{Label(field)} date {InputText.Quote(text)} is not a date; use YYYY-MM-DD, for example 2026-01-31.");
    }

    public static IReadOnlyList<string>? ParseTables(IEnumerable<string?>? values)
    {
        var items = Split(TablesField, values);
        return items.Count == 0 ? null : items;
    }

    /// <summary>Builds a request from raw text; the shells (page, CLI) add format and who is asking.</summary>
    public static ExportRequest Parse(
        IEnumerable<string?>? tables, IEnumerable<string?>? companies, IEnumerable<string?>? sites, string? from, string? to, bool closure) => new()
        {
            Tables = ParseTables(tables),
            Companies = ParseIds(CompanyField, companies),
            Sites = ParseIds(SiteField, sites),
            From = ParseDate(FromField, from),
            To = ParseDate(ToField, to),
            Closure = closure,
        };

    private static List<string> Split(string field, IEnumerable<string?>? values)
    {
        var items = (values ?? [])
            .SelectMany(v => (v ?? "").Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        if (items.Count > MaxValues)
        {
            throw new ExportRequestException(field, $"Too many {field} values ({items.Count}); at most {MaxValues}.");
        }

        return items;
    }

    private static string Label(string field) => field switch
    {
        CompanyField => "Company",
        SiteField => "Site",
        FromField => "The start",
        ToField => "The end",
        _ => field,
    };
}

using System.Text.Json;

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Export;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.Web.Pages.Admin.DeveloperTools.Export;

/// <summary>Every export attempt, most recent first. SystemAdmin, like the rest of the folder.</summary>
public sealed class HistoryModel(ExportAuditTrail audit, SupportSignalDbContext db) : PageModel
{
    public const int PageSize = 20;

    public IReadOnlyList<ExportAudit> Rows { get; private set; } = [];

    /// <summary>Who ran each export, by user id: their e-mail address.</summary>
    public IReadOnlyDictionary<Guid, string> Users { get; private set; } = new Dictionary<Guid, string>();

    public int PageNumber { get; private set; } = 1;

    public int Total { get; private set; }

    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public async Task OnGetAsync(int? p, CancellationToken cancellationToken)
    {
        PageNumber = Math.Clamp(p ?? 1, 1, 1_000_000);
        (Rows, Total) = await audit.PageAsync(PageNumber, PageSize, cancellationToken);
        var ids = Rows.Where(r => r.UserId is not null).Select(r => r.UserId!.Value).Distinct().ToList();
        Users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.Id.ToString(), cancellationToken);
    }

    /// <summary>
    /// The export page with this attempt's filters, format and de-identification filled in (a GET: it
    /// shows the counts, it never downloads by itself). Filters are the row's normalized JSON.
    /// </summary>
    public string RunAgainUrl(ExportAudit row)
    {
        var query = new List<KeyValuePair<string, string?>>();
        var segmented = false;
        try
        {
            using var filters = JsonDocument.Parse(row.Filters);
            foreach (var (key, field) in Fields)
            {
                if (!filters.RootElement.TryGetProperty(key, out var value))
                {
                    continue;
                }

                segmented = true;
                query.AddRange(value.ValueKind == JsonValueKind.Array
                    ? value.EnumerateArray().Select(v => new KeyValuePair<string, string?>(field, v.ToString()))
                    : [new(field, value.ToString().ToLowerInvariant())]);
            }
        }
        catch (JsonException)
        {
            // An old row with unreadable filters: run it again as a full export.
        }

        query.Add(new(ExportFields.Format, row.Format));
        if (row.Deidentified)
        {
            query.Add(new(ExportFields.Deidentify, "true"));
        }

        return Url.Page("/Admin/DeveloperTools/Export/Index") + QueryString.Create(query) + (segmented ? "#segment" : "");
    }

    // The keys of metadata.filtersApplied (MetadataWriter.WriteFilters) and the page's fields they fill.
    private static readonly (string Key, string Field)[] Fields =
    [
        ("companies", ExportFields.Companies), ("sites", ExportFields.Sites), ("from", ExportFields.From),
        ("to", ExportFields.To), ("tables", ExportFields.Tables), ("closure", ExportFields.Closure),
    ];

    public string Who(ExportAudit row) => row.UserId is { } id ? Users.GetValueOrDefault(id, id.ToString()) : row.Source.ToString();
}

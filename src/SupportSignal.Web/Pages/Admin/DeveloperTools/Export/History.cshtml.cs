using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.Data.Entities;
using SupportSignal.Export;

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

    public string Who(ExportAudit row) => row.UserId is { } id ? Users.GetValueOrDefault(id, id.ToString()) : row.Source.ToString();
}

using Microsoft.EntityFrameworkCore;

using SupportSignal.Web.Infrastructure;

namespace SupportSignal.TestSupport;

/// <summary>
/// The database every app under test starts from: the small demo set plus one account per role
/// (password <see cref="TestDatabase.Password"/>), generated once per test process into a template
/// that each app copies, so a test that locks an account out cannot disturb another.
/// </summary>
public static class AppDatabase
{
    private static readonly SemaphoreSlim _gate = new(1, 1);
    private static TestDatabase? _template;

    /// <summary>A fresh, migrated and seeded database of its own; the caller disposes it.</summary>
    public static async Task<TestDatabase> CreateCopyAsync(CancellationToken cancellationToken = default) =>
        await (await TemplateAsync(cancellationToken)).CopyAsync(cancellationToken);

    private static async Task<TestDatabase> TemplateAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_template is null)
            {
                var template = await TestDatabase.CreateAsync(DemoSets.Small, cancellationToken);
                await using (var db = template.NewContext())
                {
                    await DevelopmentAccounts.EnsureAsync(db, TestDatabase.Password, cancellationToken);
                    // Fold the WAL back into the file so the template can be copied as one file.
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=DELETE;", cancellationToken);
                }

                _template = template;
            }

            return _template;
        }
        finally
        {
            _gate.Release();
        }
    }
}

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using SupportSignal.Data;
using SupportSignal.DemoData;
using SupportSignal.Web.Infrastructure;

namespace SupportSignal.TestSupport;

/// <summary>
/// Real SQLite files migrated with the real migrations. The demo set and the per-role accounts
/// are generated once per test process into a template; every app under test gets its own
/// copy of the file, so a test that locks an account out cannot disturb another.
/// </summary>
public static class TestDatabase
{
    /// <summary>The password of every development account in the test databases.</summary>
    public const string Password = "Test-Passw0rd-2026!";

    /// <summary>Small but complete: every table has rows, and the export has several flushes of data.</summary>
    public static DemoDataOptions DemoOptions { get; } = new()
    {
        Companies = 3,
        SitesPerCompany = 2,
        Users = 12,
        Participants = 24,
        Incidents = 80,
        RandomSeed = 4242,
    };

    private static readonly SemaphoreSlim _gate = new(1, 1);
    private static string? _templatePath;

    public static string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("supportsignal-tests-").FullName;

    /// <summary>A fresh, migrated and seeded database file; the caller owns (and deletes) it.</summary>
    public static async Task<string> CreateCopyAsync(CancellationToken cancellationToken = default)
    {
        var template = await TemplateAsync(cancellationToken);
        var path = Path.Combine(Directory, $"app-{Guid.NewGuid():N}.db");
        // The template is a closed, single-file (rollback journal) database, so a plain file copy
        // is a consistent copy, and parallel fixtures never contend for its locks.
        File.Copy(template, path);
        await using (var connection = new SqliteConnection(ConnectionString(path)))
        {
            await connection.OpenAsync(cancellationToken);
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        return path;
    }

    public static string ConnectionString(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();

    /// <summary>A context on the given file, for arranging and asserting outside the app.</summary>
    public static SupportSignalDbContext OpenContext(string path) =>
        new DatabaseSettings(DatabaseProvider.Sqlite, ConnectionString(path)).CreateContext();

    public static void Delete(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // A file still open on some platform is left to the temp folder's cleanup.
            }
        }
    }

    private static async Task<string> TemplateAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_templatePath is null)
            {
                var path = Path.Combine(Directory, "template.db");
                await using (var db = OpenContext(path))
                {
                    await db.MigrateAsync(cancellationToken);
                    await DemoDataGenerator.SeedAsync(db, DemoOptions, progress: null, cancellationToken);
                    db.ChangeTracker.Clear();
                    await DevelopmentAccounts.EnsureAsync(db, Password, cancellationToken);
                    // Fold the WAL back into the file so the template can be copied as one file.
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=DELETE;", cancellationToken);
                }

                _templatePath = path;
            }

            return _templatePath;
        }
        finally
        {
            _gate.Release();
        }
    }
}

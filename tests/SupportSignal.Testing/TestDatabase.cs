using System.Globalization;

using Microsoft.Data.Sqlite;

using SupportSignal.Data;
using SupportSignal.DemoData;

namespace SupportSignal.Testing;

/// <summary>
/// A real SQLite file in a temporary folder, migrated with the real migrations (and seeded when asked);
/// deleted on dispose. <see cref="CopyAsync"/> gives each app under test its own copy of a seeded
/// template, so a test that changes data cannot disturb another.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The password of every account the tests create or sign in with.</summary>
    public const string Password = "Test-Passw0rd-2026!";

    private readonly string _directory;

    private TestDatabase(string directory)
    {
        _directory = directory;
        Path = System.IO.Path.Combine(directory, "supportsignal.db");
        Settings = new DatabaseSettings(DatabaseProvider.Sqlite, ConnectionString(Path));
    }

    public string Path { get; }

    public DatabaseSettings Settings { get; }

    /// <summary>A migrated database, seeded with <paramref name="seed"/> (a <see cref="DemoSets"/> set) when given.</summary>
    public static async Task<TestDatabase> CreateAsync(DemoDataOptions? seed = null, CancellationToken cancellationToken = default)
    {
        var database = new TestDatabase(NewDirectory());
        await using var db = database.NewContext();
        await db.MigrateAsync(cancellationToken);
        if (seed is not null)
        {
            await DemoDataGenerator.SeedAsync(db, seed, progress: null, cancellationToken);
        }

        return database;
    }

    /// <summary>
    /// A copy of this database in a folder of its own, in WAL mode as an app runs it. This database must
    /// be closed and in rollback-journal mode (as <see cref="CreateAsync"/> leaves it), so that a plain
    /// file copy is a consistent copy and copies made in parallel never contend for its locks.
    /// </summary>
    public async Task<TestDatabase> CopyAsync(CancellationToken cancellationToken = default)
    {
        var copy = new TestDatabase(NewDirectory());
        File.Copy(Path, copy.Path);
        await using var connection = new SqliteConnection(copy.Settings.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        await wal.ExecuteNonQueryAsync(cancellationToken);
        return copy;
    }

    /// <summary>The connection string the tests use for a database file (no pooling: nothing stays open after a test).</summary>
    public static string ConnectionString(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();

    /// <summary>A context on any test database file, for arranging and asserting outside the code under test.</summary>
    public static SupportSignalDbContext OpenContext(string path) =>
        new DatabaseSettings(DatabaseProvider.Sqlite, ConnectionString(path)).CreateContext();

    public SupportSignalDbContext NewContext() => Settings.CreateContext();

    /// <summary>A plain connection for checks that should not go through the code under test.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(Settings.ConnectionString);
        connection.Open();
        return connection;
    }

    public long Scalar(string sql)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }

    public List<string> Strings(string sql)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0))
            {
                values.Add(reader.GetString(0));
            }
        }

        return values;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open on some platforms; the temp folder is cleaned by the OS.
        }

        return ValueTask.CompletedTask;
    }

    private static string NewDirectory() => Directory.CreateTempSubdirectory("supportsignal-tests-").FullName;
}

using Microsoft.Data.Sqlite;

using SupportSignal.Data;
using SupportSignal.DemoData;

namespace SupportSignal.UnitTests;

/// <summary>A real SQLite file in a temporary folder, migrated with the real migrations; deleted on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>A demo set small enough to seed in well under a second, with every table filled.</summary>
    public static readonly DemoDataOptions SmallDemo = new()
    {
        Companies = 3,
        SitesPerCompany = 2,
        Users = 16,
        Participants = 24,
        Incidents = 120,
        RandomSeed = 4242,
    };

    private readonly string _directory;

    private TestDatabase(string directory)
    {
        _directory = directory;
        Path = System.IO.Path.Combine(directory, "supportsignal.db");
        Settings = new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={Path}");
    }

    public string Path { get; }

    public DatabaseSettings Settings { get; }

    public static async Task<TestDatabase> CreateAsync(DemoDataOptions? seed = null)
    {
        var database = new TestDatabase(Directory.CreateTempSubdirectory("supportsignal-test-").FullName);
        await using var db = database.NewContext();
        await db.MigrateAsync();
        if (seed is not null)
        {
            await DemoDataGenerator.SeedAsync(db, seed);
        }

        return database;
    }

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
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
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
}

/// <summary>A clock that always says the same time, so exports can be compared byte for byte.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public static readonly FixedTime Default = new(new DateTimeOffset(2026, 11, 26, 9, 30, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => now;
}

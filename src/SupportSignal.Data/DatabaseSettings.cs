using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace SupportSignal.Data;

/// <summary>
/// Which database to use: <c>Database:Provider</c> (Sqlite, the default, or SqlServer) and
/// <c>ConnectionStrings:SupportSignal</c>, both overridable by environment variables.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string ProviderKey = "Database:Provider";
    public const string ConnectionStringName = "SupportSignal";

    /// <summary>
    /// SQLite and PostgreSQL: use the compiled model (CompiledModels/Sqlite, CompiledModels/PostgreSql, made
    /// by <c>dotnet ef dbcontext optimize</c>) instead of building the model from the configurations at start.
    /// The CLI sets it: building this model costs more than the whole export of a small database (about
    /// 0.7 s of CPU on PostgreSQL). A test fails when either falls behind the configurations.
    /// </summary>
    public bool CompiledModel { get; init; }

    /// <summary>Reads the settings; a SQLite database with no connection string lives in <paramref name="baseDirectory"/>/App_Data.</summary>
    public static DatabaseSettings From(IConfiguration configuration, string baseDirectory)
    {
        var providerText = configuration[ProviderKey];
        var provider = ParseProvider(providerText);
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (provider != DatabaseProvider.Sqlite)
            {
                throw new DatabaseConfigurationException(
                    $"ConnectionStrings:{ConnectionStringName} must be set when {ProviderKey} is {provider}.");
            }

            var dataDirectory = Path.Combine(baseDirectory, "App_Data");
            connectionString = $"Data Source={Path.Combine(dataDirectory, "supportsignal.db")}";
        }

        return new DatabaseSettings(provider, connectionString);
    }

    public static DatabaseProvider ParseProvider(string? text) =>
        string.IsNullOrWhiteSpace(text) ? DatabaseProvider.Sqlite
        : Enum.TryParse<DatabaseProvider>(text, ignoreCase: true, out var provider) && Enum.IsDefined(provider) ? provider
        : throw new DatabaseConfigurationException(
            $"{ProviderKey} '{text}' is not a known provider; use Sqlite, SqlServer or PostgreSql.");

    /// <summary>Applies the provider to an options builder of the matching derived context.</summary>
    public void Apply(DbContextOptionsBuilder options)
    {
        switch (Provider)
        {
            case DatabaseProvider.Sqlite:
                EnsureSqliteDirectory();
                options.UseSqlite(ConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_history"));
                if (CompiledModel)
                {
                    options.UseModel(CompiledModels.Sqlite.SqliteSupportSignalDbContextModel.Instance);
                }

                break;
            case DatabaseProvider.SqlServer:
                options.UseSqlServer(ConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_history"));
                break;
            case DatabaseProvider.PostgreSql:
                options.UseNpgsql(ConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_history"));
                if (CompiledModel)
                {
                    options.UseModel(CompiledModels.PostgreSql.PostgreSqlSupportSignalDbContextModel.Instance);
                }

                break;
        }
    }

    /// <summary>The connection string with any password masked, for messages and logs.</summary>
    public string Describe() => Provider switch
    {
        DatabaseProvider.Sqlite => $"SQLite {new SqliteConnectionStringBuilder(ConnectionString).DataSource}",
        DatabaseProvider.PostgreSql => $"PostgreSQL {DescribePostgreSql(ConnectionString)}",
        _ => $"SQL Server {DescribeSqlServer(ConnectionString)}",
    };

    private static string DescribePostgreSql(string connectionString)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database}";
        }
        catch (ArgumentException)
        {
            return "(unparseable connection string)";
        }
    }

    private static string DescribeSqlServer(string connectionString)
    {
        try
        {
            var builder = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(connectionString);
            return $"{builder.DataSource}/{builder.InitialCatalog}";
        }
        catch (ArgumentException)
        {
            return "(unparseable connection string)";
        }
    }

    private void EnsureSqliteDirectory()
    {
        var dataSource = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory) && dataSource != ":memory:")
        {
            Directory.CreateDirectory(directory);
        }
    }
}

/// <summary>The database settings are wrong: a message fit to show an operator (no secrets).</summary>
public sealed class DatabaseConfigurationException(string message) : Exception(message);

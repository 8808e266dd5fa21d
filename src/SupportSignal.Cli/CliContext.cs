using System.CommandLine;
using System.Data.Common;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

using SupportSignal.Data;
using SupportSignal.Export;
using SupportSignal.Export.Diagnostics;

namespace SupportSignal.Cli;

/// <summary>
/// One run of the CLI: its writers and environment, the global options, and the database they
/// select. Configuration is layered like the web app's (appsettings.json, then environment
/// variables), with <c>--provider</c> and <c>--connection</c> on top.
/// </summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr, CliEnvironment environment)
{
    private IConfiguration? _configuration;
    private DatabaseSettings? _settings;
    private string? _connectionString;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public CliEnvironment Environment { get; } = environment;

    public Option<string> Provider { get; } = new("--provider")
    {
        Description = "Database provider: Sqlite, SqlServer or PostgreSql (overrides Database:Provider).",
        Recursive = true,
    };

    public Option<string> Connection { get; } = new("--connection")
    {
        Description = "Connection string (overrides ConnectionStrings:SupportSignal).",
        Recursive = true,
    };

    /// <summary>appsettings.json, then environment variables, then --provider and --connection.</summary>
    public IConfiguration Configuration(ParseResult parseResult) =>
        _configuration ??= new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Environment.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironment(Environment)
            .AddInMemoryCollection(Overrides(parseResult))
            .Build();

    /// <summary>The configured database; bad settings are bad arguments (exit 2).</summary>
    public DatabaseSettings Settings(ParseResult parseResult)
    {
        if (_settings is not null)
        {
            return _settings;
        }

        var configuration = Configuration(parseResult);
        _connectionString = configuration.GetConnectionString(DatabaseSettings.ConnectionStringName);
        try
        {
            _settings = DatabaseSettings.From(configuration, Environment.BaseDirectory) with { CompiledModel = true };
            _ = _settings.Describe();
            return _settings;
        }
        catch (DatabaseConfigurationException e)
        {
            throw new CliException(ExitCodes.BadArguments, e.Message);
        }
        catch (ArgumentException)
        {
            throw new CliException(ExitCodes.BadArguments,
                $"The connection string (--connection or ConnectionStrings:{DatabaseSettings.ConnectionStringName}) is not valid.");
        }
    }

    /// <summary>
    /// Opens the database for a verb that needs it as it is: the SQLite file must exist (never
    /// created here) and every migration of this build must be applied, and no unknown one.
    /// </summary>
    public async Task<SupportSignalDbContext> OpenDatabaseAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var settings = ExistingDatabase(parseResult);
        if (StartupTrace.Enabled && settings is { CompiledModel: true, Provider: DatabaseProvider.Sqlite })
        {
            // Only to tell the compiled model's own start-up apart from building EF Core's services (the context).
            _ = Data.CompiledModels.Sqlite.SqliteSupportSignalDbContextModel.Instance;
            StartupTrace.Mark("compiled model loaded");
        }

        var db = settings.CreateContext();
        StartupTrace.Mark("context created");
        try
        {
            if (StartupTrace.Enabled)
            {
                _ = db.Model;
                StartupTrace.Mark("EF model built");
            }

            CheckMigrations(settings, await db.AppliedMigrationsAsync(cancellationToken), db.KnownMigrations());
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The same checks as <see cref="OpenDatabaseAsync"/>, with the same messages, on a plain connection:
    /// the export's database, read without EF Core (the stored catalog and migrations, see ExportDatabase).
    /// </summary>
    public async Task<ExportDatabase> OpenExportDatabaseAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var settings = ExistingDatabase(parseResult);
        var database = ExportDatabase.Over(settings);
        await using var connection = settings.CreateConnection();
        CheckMigrations(
            settings, await DatabaseMigrator.AppliedMigrationsAsync(connection, null, settings.Provider, cancellationToken), database.KnownMigrations);
        return database;
    }

    private DatabaseSettings ExistingDatabase(ParseResult parseResult)
    {
        var settings = Settings(parseResult);
        if (settings.IsSqliteFileMissing())
        {
            throw new CliException(ExitCodes.Database,
                $"The database {settings.Describe()} does not exist. Create it with `supportsignal migrate`.");
        }

        return settings;
    }

    private static void CheckMigrations(DatabaseSettings settings, IReadOnlyList<string> applied, IReadOnlyList<string> known)
    {
        var pending = known.Except(applied).ToList();
        var unknown = applied.Except(known).ToList();
        StartupTrace.Mark("connection opened, migrations checked");
        if (unknown.Count > 0)
        {
            throw new CliException(ExitCodes.Database,
                $"The database {settings.Describe()} has migration {unknown[^1]}, which this version of supportsignal does not know. Use a newer supportsignal.");
        }

        if (pending.Count > 0)
        {
            throw new CliException(ExitCodes.Database,
                $"The database {settings.Describe()} is not at the expected schema version: {pending.Count} pending migration(s), " +
                $"starting with {pending[0]}. Run `supportsignal migrate`.");
        }
    }

    /// <summary>A database error as an operator should see it: which database, what went wrong, no secrets.</summary>
    public string DescribeDatabaseError(DbException exception) =>
        _settings is null
            ? $"Database error: {Redact(exception.Message)}"
            : $"Cannot use the database {_settings.Describe()}: {Redact(exception.Message)}";

    /// <summary>Masks any password of the configured connection string that a message might carry.</summary>
    public string Redact(string message)
    {
        if (string.IsNullOrEmpty(_connectionString))
        {
            return message;
        }

        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = _connectionString };
            foreach (var key in new[] { "password", "pwd" })
            {
                if (builder.TryGetValue(key, out var value) && value?.ToString() is { Length: > 0 } secret)
                {
                    message = message.Replace(secret, "***", StringComparison.Ordinal);
                }
            }
        }
        catch (ArgumentException)
        {
            // An unparseable connection string is never echoed, so there is nothing to mask.
        }

        return message;
    }

    private Dictionary<string, string?> Overrides(ParseResult parseResult)
    {
        var overrides = new Dictionary<string, string?>();
        if (parseResult.GetValue(Provider) is { } provider)
        {
            overrides[DatabaseSettings.ProviderKey] = provider;
        }

        if (parseResult.GetValue(Connection) is { } connection)
        {
            overrides[$"ConnectionStrings:{DatabaseSettings.ConnectionStringName}"] = connection;
        }

        return overrides;
    }
}

internal static class ConfigurationBuilderExtensions
{
    /// <summary>Environment variables the way ASP.NET reads them (<c>Database__Provider</c> is <c>Database:Provider</c>).</summary>
    public static IConfigurationBuilder AddEnvironment(this IConfigurationBuilder builder, CliEnvironment environment) =>
        environment.Variables is null
            ? builder.AddEnvironmentVariables()
            : builder.AddInMemoryCollection(environment.Variables.Select(v =>
                new KeyValuePair<string, string?>(v.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), v.Value)));
}

using System.Data.Common;
using System.Runtime.CompilerServices;

using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Npgsql;

namespace SupportSignal.Data;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SupportSignalDbContext"/> on the configured provider. Callers resolve the
    /// abstract base; the derived type only decides which migration set applies.
    /// </summary>
    public static IServiceCollection AddSupportSignalData(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        switch (settings.Provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddDbContext<SupportSignalDbContext, SqliteSupportSignalDbContext>(settings.Apply);
                break;
            case DatabaseProvider.SqlServer:
                services.AddDbContext<SupportSignalDbContext, SqlServerSupportSignalDbContext>(settings.Apply);
                break;
            case DatabaseProvider.PostgreSql:
                services.AddDbContext<SupportSignalDbContext, PostgreSqlSupportSignalDbContext>(settings.Apply);
                break;
        }

        return services;
    }

    /// <summary>Creates a context outside dependency injection (the CLI, tests, the benchmark).</summary>
    public static SupportSignalDbContext CreateContext(this DatabaseSettings settings) => settings.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteSupportSignalDbContext(Build<SqliteSupportSignalDbContext>(settings)),
        DatabaseProvider.PostgreSql => new PostgreSqlSupportSignalDbContext(Build<PostgreSqlSupportSignalDbContext>(settings)),
        _ => new SqlServerSupportSignalDbContext(Build<SqlServerSupportSignalDbContext>(settings)),
    };

    /// <summary>
    /// A plain ADO.NET connection (not open) to the configured database, for work that needs no EF Core
    /// model: the CLI's export and its audit rows, whose start-up would otherwise pay for a context.
    /// </summary>
    public static DbConnection CreateConnection(this DatabaseSettings settings) => settings.Provider switch
    {
        DatabaseProvider.Sqlite => SqliteConnection(settings.ConnectionString),
        DatabaseProvider.PostgreSql => PostgreSqlConnection(settings.ConnectionString),
        _ => SqlServerConnection(settings.ConnectionString),
    };

    // One method per provider, never inlined: ReadyToRun code loads the assembly of every type a method
    // names when it first runs, so only the configured provider's client is loaded (SqlClient and Npgsql
    // cost a SQLite export's start-up milliseconds otherwise).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DbConnection SqliteConnection(string connectionString) => new SqliteConnection(connectionString);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DbConnection PostgreSqlConnection(string connectionString) => new NpgsqlConnection(connectionString);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DbConnection SqlServerConnection(string connectionString) => new SqlConnection(connectionString);

    private static DbContextOptions<T> Build<T>(DatabaseSettings settings)
        where T : DbContext
    {
        var builder = new DbContextOptionsBuilder<T>();
        settings.Apply(builder);
        return builder.Options;
    }
}

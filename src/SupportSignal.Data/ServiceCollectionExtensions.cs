using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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

    private static DbContextOptions<T> Build<T>(DatabaseSettings settings)
        where T : DbContext
    {
        var builder = new DbContextOptionsBuilder<T>();
        settings.Apply(builder);
        return builder.Options;
    }
}

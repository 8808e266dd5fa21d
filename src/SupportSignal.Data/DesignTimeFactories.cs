using Microsoft.EntityFrameworkCore.Design;

namespace SupportSignal.Data;

// Used by `dotnet ef` only: migrations are generated per provider from these.
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSupportSignalDbContext>
{
    public SqliteSupportSignalDbContext CreateDbContext(string[] args) =>
        (SqliteSupportSignalDbContext)new DatabaseSettings(DatabaseProvider.Sqlite, "Data Source=design-time.db").CreateContext();
}

public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerSupportSignalDbContext>
{
    public SqlServerSupportSignalDbContext CreateDbContext(string[] args) =>
        (SqlServerSupportSignalDbContext)new DatabaseSettings(
            DatabaseProvider.SqlServer, "Server=localhost;Database=SupportSignal;Integrated Security=true;TrustServerCertificate=true").CreateContext();
}

public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlSupportSignalDbContext>
{
    public PostgreSqlSupportSignalDbContext CreateDbContext(string[] args) =>
        (PostgreSqlSupportSignalDbContext)new DatabaseSettings(
            DatabaseProvider.PostgreSql, "Host=localhost;Database=supportsignal;Username=postgres").CreateContext();
}

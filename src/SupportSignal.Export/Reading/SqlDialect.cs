using System.Data.Common;

using Microsoft.EntityFrameworkCore.Storage;

using SupportSignal.Data;
using SupportSignal.Export.Writing;

namespace SupportSignal.Export.Reading;

/// <summary>
/// What the engine says differently to each database: how a snapshot begins, how a statement is
/// cut to its first rows, how a segment's temporary key tables are named and created, and the
/// provider's fast row path, if it has one. Everything else is plain SQL that every provider
/// reads alike. A provider is one subclass plus one line in <see cref="For"/>.
/// </summary>
internal abstract class SqlDialect(ISqlGenerationHelper sql)
{
    public static SqlDialect For(DatabaseProvider provider, ISqlGenerationHelper sql) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDialect(sql),
        DatabaseProvider.SqlServer => new SqlServerDialect(sql),
        _ => throw new NotSupportedException($"The export has no SQL dialect for {provider}."),
    };

    /// <summary>The provider's name in the export's metadata ("sqlite", "sqlserver").</summary>
    public abstract string Name { get; }

    /// <summary>Quotes a table or column name the provider's way.</summary>
    public string Delimit(string name) => sql.DelimitIdentifier(name);

    /// <summary>Starts the read transaction that is the export's consistent snapshot.</summary>
    public abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>The same ordered SELECT, reading only its first <paramref name="rows"/> rows.</summary>
    public abstract string FirstRows(string select, int rows);

    /// <summary>The delimited name of the temporary key table a segment keeps for <paramref name="table"/>.</summary>
    public abstract string KeyTable(string table);

    /// <summary>The statement that creates a temporary table private to this connection (its name from <see cref="KeyTable"/>).</summary>
    public abstract string CreateTempTable(string keyTable, string definition);

    /// <summary>A faster row source than the data reader for this connection, or null to use the data reader.</summary>
    public virtual IRowSource? FastRows(DbConnection connection) => null;
}

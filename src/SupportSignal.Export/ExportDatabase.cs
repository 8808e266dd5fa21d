using System.Data.Common;
using System.Runtime.CompilerServices;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

using SupportSignal.Data;
using SupportSignal.Export.Catalog;

namespace SupportSignal.Export;

/// <summary>
/// The database an export reads: its provider, its catalog, a way to open and close the snapshot's
/// connection, and the model's SQL literals (which only a segment needs). Over a context (the web app,
/// MCP, tests) it uses the context's connection and model; over plain settings (the CLI) it opens a
/// plain ADO.NET connection, takes the stored catalog, and builds an EF Core model only when a segment
/// asks for a literal, so an export starts without EF Core.
/// </summary>
public sealed class ExportDatabase
{
    private static readonly ConditionalWeakTable<IModel, ExportCatalog> _catalogs = new();

    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly Func<DbConnection, ValueTask> _close;
    private readonly Lazy<IModel> _model;

    private ExportDatabase(
        DatabaseProvider provider, ExportCatalog catalog, Func<CancellationToken, Task<DbConnection>> open, Func<DbConnection, ValueTask> close, Func<IModel> model)
    {
        Provider = provider;
        Catalog = catalog;
        _open = open;
        _close = close;
        _model = new Lazy<IModel>(model);
    }

    public DatabaseProvider Provider { get; }

    public ExportCatalog Catalog { get; }

    /// <summary>The context's own connection and model (the catalog derived from it once per model).</summary>
    public static ExportDatabase Over(SupportSignalDbContext db) => new(
        db.Provider,
        _catalogs.GetValue(db.Model, ExportCatalog.FromModel),
        async cancellationToken =>
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            return db.Database.GetDbConnection();
        },
        async _ => await db.Database.CloseConnectionAsync(),
        () => db.Model);

    /// <summary>
    /// The configured database without EF Core: a fresh connection per snapshot and the stored catalog;
    /// a context (its model) is made only if a segment needs a literal.
    /// </summary>
    public static ExportDatabase Over(DatabaseSettings settings) => new(
        settings.Provider,
        StoredCatalog.For(settings.Provider),
        async cancellationToken =>
        {
            var connection = settings.CreateConnection();
            try
            {
                await connection.OpenAsync(cancellationToken);
                return connection;
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        },
        connection => connection.DisposeAsync(),
        () =>
        {
            // The model outlives the context: EF Core keeps it for every context of these options.
            using var db = settings.CreateContext();
            return db.Model;
        });

    internal Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => _open(cancellationToken);

    internal ValueTask CloseAsync(DbConnection connection) => _close(connection);

    /// <summary>
    /// A SQL literal of <paramref name="value"/> exactly as the model stores the column's values (SQLite
    /// keeps GUIDs as upper-case text): EF Core's type mapping writes it, so segment SQL is the same on every path.
    /// </summary>
    internal string Literal(string table, string column, object value)
    {
        var entity = _model.Value.GetEntityTypes().First(e => e.GetTableName() == table);
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var property = entity.GetProperties().First(p => p.GetColumnName(store) == column);
        return property.GetRelationalTypeMapping().GenerateSqlLiteral(value);
    }
}

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
/// plain ADO.NET connection, takes the stored catalog and migrations, and builds an EF Core model only when a segment
/// asks for a literal, so an export starts without EF Core.
/// </summary>
public sealed class ExportDatabase
{
    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly Func<DbConnection, ValueTask> _close;
    private readonly Func<string, string, object, string> _literal;

    // No EF Core type in a field or in the plain path's methods: ReadyToRun code loads the assemblies of
    // every type a method names when it first runs, and EF Core's cost a CLI export about 20 ms.
    private ExportDatabase(
        DatabaseProvider provider, ExportCatalog catalog, IReadOnlyList<string> knownMigrations,
        Func<CancellationToken, Task<DbConnection>> open, Func<DbConnection, ValueTask> close, Func<string, string, object, string> literal)
    {
        Provider = provider;
        Catalog = catalog;
        KnownMigrations = knownMigrations;
        _open = open;
        _close = close;
        _literal = literal;
    }

    public DatabaseProvider Provider { get; }

    public ExportCatalog Catalog { get; }

    /// <summary>The migrations this build knows for the provider, oldest first: the schema an export reads.</summary>
    public IReadOnlyList<string> KnownMigrations { get; }

    /// <summary>The context's own connection and model (the catalog derived from it once per model).</summary>
    public static ExportDatabase Over(SupportSignalDbContext db) => new(
        db.Provider,
        ModelAccess.CatalogOf(db.Model),
        db.KnownMigrations(),
        async cancellationToken =>
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            return db.Database.GetDbConnection();
        },
        async _ => await db.Database.CloseConnectionAsync(),
        (table, column, value) => ModelAccess.Literal(db.Model, table, column, value));

    /// <summary>
    /// The configured database without EF Core: a fresh connection per snapshot, the stored catalog and
    /// migrations; a context (its model) is made only if a segment needs a literal.
    /// </summary>
    public static ExportDatabase Over(DatabaseSettings settings) => new(
        settings.Provider,
        StoredCatalog.For(settings.Provider),
        StoredCatalog.MigrationsOf(settings.Provider),
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
        (table, column, value) => ModelAccess.Literal(settings, table, column, value));

    internal Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => _open(cancellationToken);

    internal ValueTask CloseAsync(DbConnection connection) => _close(connection);

    /// <summary>
    /// A SQL literal of <paramref name="value"/> exactly as the model stores the column's values (SQLite
    /// keeps GUIDs as upper-case text): EF Core's type mapping writes it, so segment SQL is the same on every path.
    /// </summary>
    internal string Literal(string table, string column, object value) => _literal(table, column, value);
}

/// <summary>What the engine takes from an EF Core model, kept apart so that the plain path never loads EF Core.</summary>
internal static class ModelAccess
{
    private static readonly ConditionalWeakTable<IModel, ExportCatalog> _catalogs = new();
    private static readonly ConditionalWeakTable<DatabaseSettings, IModel> _models = new();

    public static ExportCatalog CatalogOf(IModel model) => _catalogs.GetValue(model, ExportCatalog.FromModel);

    // The model outlives the context: EF Core keeps it for every context of these options.
    public static string Literal(DatabaseSettings settings, string table, string column, object value) =>
        Literal(_models.GetValue(settings, s =>
        {
            using var db = s.CreateContext();
            return db.Model;
        }), table, column, value);

    public static string Literal(IModel model, string table, string column, object value)
    {
        var entity = model.GetEntityTypes().First(e => e.GetTableName() == table);
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var property = entity.GetProperties().First(p => p.GetColumnName(store) == column);
        return property.GetRelationalTypeMapping().GenerateSqlLiteral(value);
    }
}

using System.Data;
using System.Data.Common;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

using SupportSignal.Data;

namespace SupportSignal.DemoData;

/// <summary>
/// Inserts entities through plain ADO.NET commands derived from the EF Core model: one
/// parameterized INSERT per table, parameters reused row after row, values converted by
/// the model's own type mappings so they are stored exactly as EF would store them.
/// Change tracking costs far more than the insert itself once there are millions of rows.
/// </summary>
internal sealed class BulkInserter : IAsyncDisposable
{
    private readonly SupportSignalDbContext _db;
    private readonly DbConnection _connection;
    private readonly ISqlGenerationHelper _sql;
    private readonly bool _closeOnDispose;
    private readonly Dictionary<Type, TableCommand> _commands = [];
    private readonly Dictionary<string, long> _rowsWritten = new(StringComparer.Ordinal);
    private DbTransaction? _transaction;

    private BulkInserter(SupportSignalDbContext db, bool closeOnDispose)
    {
        _db = db;
        _connection = db.Database.GetDbConnection();
        _sql = db.GetService<ISqlGenerationHelper>();
        _closeOnDispose = closeOnDispose;
    }

    /// <summary>Rows written so far, by table name.</summary>
    public IReadOnlyDictionary<string, long> RowsWritten => _rowsWritten;

    public static async Task<BulkInserter> OpenAsync(SupportSignalDbContext db, CancellationToken cancellationToken)
    {
        var wasOpen = db.Database.GetDbConnection().State == ConnectionState.Open;
        // EF's own open runs the provider's connection setup (SQLite: foreign_keys=ON).
        await db.Database.OpenConnectionAsync(cancellationToken);
        var inserter = new BulkInserter(db, closeOnDispose: !wasOpen);
        inserter.RelaxDurability();
        return inserter;
    }

    private string? _synchronous;

    // A load that fails part-way is thrown away anyway, so waiting for the disk on every
    // commit and checkpoint buys nothing; the setting is restored before the connection is
    // handed back (a pooled connection keeps its pragmas).
    private void RelaxDurability()
    {
        if (_db.Provider != DatabaseProvider.Sqlite)
        {
            return;
        }

        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        _synchronous = Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = "PRAGMA synchronous = OFF";
        command.ExecuteNonQuery();
    }

    public void BeginBatch()
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("A batch is already open.");
        }

        _transaction = _connection.BeginTransaction();
        foreach (var command in _commands.Values)
        {
            command.Command.Transaction = _transaction;
        }
    }

    public void CommitBatch()
    {
        var transaction = _transaction ?? throw new InvalidOperationException("No batch is open.");
        transaction.Commit();
        transaction.Dispose();
        _transaction = null;
    }

    public void Insert<T>(IEnumerable<T> rows)
        where T : class
    {
        var table = For(typeof(T));
        long count = 0;
        foreach (var row in rows)
        {
            table.Insert(row);
            count++;
        }

        _rowsWritten[table.TableName] = _rowsWritten.GetValueOrDefault(table.TableName) + count;
    }

    public void Insert<T>(T row)
        where T : class => Insert([row]);

    private TableCommand For(Type clrType)
    {
        if (!_commands.TryGetValue(clrType, out var table))
        {
            var entityType = _db.Model.FindEntityType(clrType)
                ?? throw new InvalidOperationException($"{clrType.Name} is not an entity of the model.");
            table = new TableCommand(entityType, _connection.CreateCommand(), _sql) { Command = { Transaction = _transaction } };
            _commands.Add(clrType, table);
        }

        return table;
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync();
            await _transaction.DisposeAsync();
            _transaction = null;
        }

        foreach (var command in _commands.Values)
        {
            await command.Command.DisposeAsync();
        }

        if (_synchronous is not null)
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"PRAGMA synchronous = {int.Parse(_synchronous, System.Globalization.CultureInfo.InvariantCulture)}";
            await command.ExecuteNonQueryAsync();
        }

        if (_closeOnDispose)
        {
            await _db.Database.CloseConnectionAsync();
        }
    }

    private sealed class TableCommand
    {
        private readonly Column[] _columns;

        public TableCommand(IEntityType entityType, DbCommand command, ISqlGenerationHelper sql)
        {
            TableName = entityType.GetTableName()
                ?? throw new InvalidOperationException($"{entityType.DisplayName()} is not mapped to a table.");
            var table = StoreObjectIdentifier.Table(TableName, entityType.GetSchema());
            Command = command;
            _columns = entityType.GetProperties()
                .Where(p => !IsStoreGenerated(p))
                .Select((property, i) => new Column(property, CreateParameter(command, property, $"p{i}"), property.GetColumnName(table)!))
                .ToArray();
            command.CommandText =
                $"INSERT INTO {sql.DelimitIdentifier(TableName, entityType.GetSchema())} " +
                $"({string.Join(", ", _columns.Select(c => sql.DelimitIdentifier(c.Name)))}) " +
                $"VALUES ({string.Join(", ", _columns.Select(c => sql.GenerateParameterNamePlaceholder(c.Parameter.ParameterName)))})";
        }

        public string TableName { get; }

        public DbCommand Command { get; }

        public void Insert(object entity)
        {
            foreach (var column in _columns)
            {
                column.Bind(entity);
            }

            Command.ExecuteNonQuery();
        }

        private static DbParameter CreateParameter(DbCommand command, IProperty property, string name)
        {
            var mapping = property.GetRelationalTypeMapping();
            var parameter = mapping.CreateParameter(command, name, value: null, nullable: property.IsNullable);
            // A mapping sizes a variable-length parameter from the value it is created with; a
            // reused parameter created without one would cut long text on some providers
            // (SQL Server: 4000 characters), so unbounded columns are sent at full length.
            if (parameter.Size > 0 && property.GetMaxLength() is null && IsVariableLength(mapping.Converter?.ProviderClrType ?? mapping.ClrType))
            {
                parameter.Size = -1;
            }

            command.Parameters.Add(parameter);
            return parameter;
        }

        // Identity's claim tables keep their integer identity keys; the database numbers them.
        private static bool IsStoreGenerated(IProperty property) =>
            property.IsPrimaryKey() && property.ValueGenerated == ValueGenerated.OnAdd && property.ClrType == typeof(int);

        private static bool IsVariableLength(Type type) => type == typeof(string) || type == typeof(byte[]);
    }

    private sealed class Column(IProperty property, DbParameter parameter, string name)
    {
        private readonly IClrPropertyGetter _getter = property.GetGetter();
        private readonly Func<object?, object?>? _toProvider = property.GetRelationalTypeMapping().Converter?.ConvertToProvider;

        public string Name { get; } = name;

        public DbParameter Parameter { get; } = parameter;

        public void Bind(object entity)
        {
            var value = _getter.GetClrValueUsingContainingEntity(entity);
            if (value is not null && _toProvider is not null)
            {
                value = _toProvider(value);
            }

            Parameter.Value = value ?? DBNull.Value;
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;

using SupportSignal.Data;
using SupportSignal.Export;

namespace SupportSignal.UnitTests.Data;

/// <summary>
/// No SQL Server runs here, so its SQL is checked by SQL Server's own T-SQL parser (ScriptDom):
/// the migration script and every statement the export would run against it.
/// </summary>
public sealed class SqlServerSqlTests
{
    [Fact]
    public void The_idempotent_migration_script_is_valid_t_sql()
    {
        using var db = ClassificationTests.ContextFor(DatabaseProvider.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        AssertParses(script);
        Assert.Contains("CREATE TABLE [export_audit]", script);
    }

    [Fact]
    public void Every_statement_of_full_segmented_and_de_identified_exports_is_valid_t_sql()
    {
        using var db = ClassificationTests.ContextFor(DatabaseProvider.SqlServer);
        var service = new ExportService(db);
        ExportRequest[] requests =
        [
            new(),
            new() { Companies = [Guid.NewGuid()], Sites = [Guid.NewGuid()], From = new DateOnly(2025, 1, 1), To = new DateOnly(2025, 3, 31) },
            new() { Tables = ["clarification_answers", "debug_logs"], From = new DateOnly(2025, 1, 1), Closure = true },
            new() { Companies = [Guid.NewGuid()], Closure = false, Deidentify = true },
        ];
        var statements = requests.SelectMany(service.DescribeSql).ToList();
        Assert.True(statements.Count > 100);
        foreach (var sql in statements)
        {
            AssertParses(sql);
            Assert.DoesNotContain("\"", sql); // SQL Server names are bracketed, never double-quoted
        }

        var segmented = service.DescribeSql(requests[1]);
        Assert.Contains(segmented, s => s.StartsWith("CREATE TABLE [#seg_incidents] ([id] uniqueidentifier NOT NULL", StringComparison.Ordinal));
        Assert.Contains(segmented, s => s.Contains("[event_date_time] >= '2025-01-01T00:00:00.0000000'", StringComparison.Ordinal)
            && s.Contains("[event_date_time] < '2025-04-01T00:00:00.0000000'", StringComparison.Ordinal));
        Assert.Contains(segmented, s => s.EndsWith("ORDER BY [id] OFFSET 0 ROWS FETCH NEXT 200 ROWS ONLY", StringComparison.Ordinal));
        Assert.DoesNotContain(segmented, s => s.Contains("password_hash", StringComparison.Ordinal));
    }

    private static void AssertParses(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        parser.Parse(reader, out var errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(5).Select(e => $"line {e.Line}: {e.Message}")) + "\n" + sql[..Math.Min(sql.Length, 500)]);
    }
}

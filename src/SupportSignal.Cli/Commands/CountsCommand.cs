using System.CommandLine;
using System.Globalization;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

using SupportSignal.Data;
using SupportSignal.Export;

namespace SupportSignal.Cli.Commands;

/// <summary><c>supportsignal counts</c>: rows per table of the model, as an aligned table or JSON.</summary>
public static class CountsCommand
{
    public static Command Create(CliContext cli)
    {
        var json = new Option<bool>("--json") { Description = "Write {\"tables\": {name: count}, \"total\": n} instead of a table." };
        var command = new Command("counts", "Show the number of rows in every table.") { json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var db = await cli.OpenDatabaseAsync(parseResult, cancellationToken);
            var counts = await CountAsync(db, cancellationToken);
            if (parseResult.GetValue(json))
            {
                WriteJson(cli.Out, counts);
            }
            else
            {
                WriteTable(cli.Out, counts);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Every table the model maps (the export's catalog, secret-only tables included), in dependency order.</summary>
    public static async Task<IReadOnlyList<(string Table, long Rows)>> CountAsync(SupportSignalDbContext db, CancellationToken cancellationToken)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var counts = new List<(string, long)>();
            foreach (var table in new ExportService(db).Catalog.Tables)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT COUNT(*) FROM {sql.DelimitIdentifier(table.Name)}";
                counts.Add((table.Name, Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture)));
            }

            return counts;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<(string Table, long Rows)> counts)
    {
        const string TotalLabel = "total";
        var total = counts.Sum(c => c.Rows);
        var nameWidth = Math.Max(TotalLabel.Length, counts.Max(c => c.Table.Length));
        var rowsWidth = Math.Max("rows".Length, Format(total).Length);
        output.WriteLine($"{"table".PadRight(nameWidth)}  {"rows".PadLeft(rowsWidth)}");
        output.WriteLine($"{new string('-', nameWidth)}  {new string('-', rowsWidth)}");
        foreach (var (table, rows) in counts)
        {
            output.WriteLine($"{table.PadRight(nameWidth)}  {Format(rows).PadLeft(rowsWidth)}");
        }

        output.WriteLine($"{new string('-', nameWidth)}  {new string('-', rowsWidth)}");
        output.WriteLine($"{TotalLabel.PadRight(nameWidth)}  {Format(total).PadLeft(rowsWidth)}");
    }

    private static void WriteJson(TextWriter output, IReadOnlyList<(string Table, long Rows)> counts)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("tables");
            foreach (var (table, rows) in counts)
            {
                writer.WriteNumber(table, rows);
            }

            writer.WriteEndObject();
            writer.WriteNumber("total", counts.Sum(c => c.Rows));
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static string Format(long rows) => rows.ToString("N0", CultureInfo.InvariantCulture);
}

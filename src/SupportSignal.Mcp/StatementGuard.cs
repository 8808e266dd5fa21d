using System.Text.Json;

using DuckDB.NET.Data;

namespace SupportSignal.Mcp;

/// <summary>
/// The first of three locks (the others: a read-only database file, and a configuration with no file,
/// network or extension access, locked): only one statement, and only one DuckDB can serialize as a
/// query (SELECT, WITH, FROM-first, DESCRIBE, SUMMARIZE, SHOW). DuckDB's own parser decides, so
/// comments, quoting and case cannot smuggle a second statement or a write past it.
/// </summary>
internal static class StatementGuard
{
    public const string Allowed = "Only one read-only statement is allowed: SELECT, WITH … SELECT, DESCRIBE or SUMMARIZE.";

    public static void Check(DuckDBConnection connection, string sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new SnapshotQueryException("The sql argument is empty. " + Allowed, "forbidden");
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_serialize_sql($1::VARCHAR)";
        command.Parameters.Add(new DuckDBParameter(sql));
        using var parsed = JsonDocument.Parse((string)command.ExecuteScalar()!);
        var root = parsed.RootElement;
        if (root.GetProperty("error").GetBoolean())
        {
            var message = root.TryGetProperty("error_message", out var m) ? m.GetString() ?? "" : "";
            var word = FirstWord(sql);
            throw !message.StartsWith("Only SELECT statements", StringComparison.Ordinal)
                ? new SnapshotQueryException(message.Length > 0 ? message : "The statement does not parse.", "Parser Error")
                : word is "SELECT" or "WITH" or "FROM" or "DESCRIBE" or "SUMMARIZE" or "SHOW" or "VALUES" or "TABLE"
                    ? new SnapshotQueryException($"Refused: the sql argument holds more than one statement, and not all of them are queries. {Allowed}", "forbidden")
                    : new SnapshotQueryException($"Refused: {word} is not a query. {Allowed} The snapshot cannot be changed, and files, network and extensions are out of reach.", "forbidden");
        }

        var statements = root.GetProperty("statements").GetArrayLength();
        if (statements != 1)
        {
            throw new SnapshotQueryException(
                statements == 0 ? "The sql argument holds no statement. " + Allowed : $"Refused: the sql argument holds more than one statement ({statements}). {Allowed}",
                "forbidden");
        }
    }

    /// <summary>The statement's keyword (DELETE, ATTACH, COPY, ...), skipping leading blanks and comments.</summary>
    private static string FirstWord(string sql)
    {
        var text = sql.AsSpan();
        while (true)
        {
            text = text.TrimStart();
            if (text.StartsWith("--"))
            {
                var end = text.IndexOf('\n');
                text = end < 0 ? [] : text[(end + 1)..];
            }
            else if (text.StartsWith("/*"))
            {
                var end = text.IndexOf("*/");
                text = end < 0 ? [] : text[(end + 2)..];
            }
            else
            {
                break;
            }
        }

        var length = 0;
        while (length < text.Length && length < 20 && char.IsAsciiLetter(text[length]))
        {
            length++;
        }

        return length == 0 ? "this statement" : text[..length].ToString().ToUpperInvariant();
    }
}

using System.Text.Json;

namespace SupportSignal.Mcp.Loading;

/// <summary>
/// Chooses a column's DuckDB type: first from its store type in <c>metadata.tables</c>, then checked
/// against the values the file holds, because one store type can carry several kinds of value
/// (SQLite's TEXT holds ids, timestamps and prose; a de-identified date of birth is a year only).
/// A value that does not fit the type falls back to VARCHAR, so loading never fails on a type.
/// </summary>
internal sealed class ColumnProfile(string name, string storeType, string classification, bool json)
{
    [Flags]
    private enum Seen
    {
        None = 0,
        String = 1,
        Boolean = 2,
        Integer = 4,
        Fraction = 8,
        Structure = 16,
    }

    private Seen _seen;
    private bool _allTimestamps = true;
    private bool _allDates = true;
    private bool _allGuids = true;

    public string Name { get; } = name;

    public void Observe(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return;
            case JsonTokenType.True or JsonTokenType.False:
                _seen |= Seen.Boolean;
                return;
            case JsonTokenType.Number:
                _seen |= reader.ValueSpan.IndexOfAny("."u8[0], (byte)'e', (byte)'E') >= 0 ? Seen.Fraction : Seen.Integer;
                return;
            case JsonTokenType.String:
                _seen |= Seen.String;
                if (_allTimestamps || _allDates || _allGuids)
                {
                    var value = reader.ValueSpan;
                    _allTimestamps &= IsTimestamp(value);
                    _allDates &= IsDate(value);
                    _allGuids &= IsGuid(value);
                }

                return;
            default:
                _seen |= Seen.Structure;
                reader.Skip();
                return;
        }
    }

    /// <summary>The DuckDB type the column is loaded as.</summary>
    public string DuckType()
    {
        if (json)
        {
            return "JSON";
        }

        var declared = Declared(storeType);
        var ordinary = classification == "ordinary";
        return _seen switch
        {
            Seen.None => declared ?? "VARCHAR",
            Seen.Boolean => "BOOLEAN",
            Seen.Integer => declared is "DOUBLE" or "BIGINT" || declared?.StartsWith("DECIMAL", StringComparison.Ordinal) == true ? declared : "BIGINT",
            Seen.Integer | Seen.Fraction or Seen.Fraction =>
                declared is "DOUBLE" || declared?.StartsWith("DECIMAL", StringComparison.Ordinal) == true ? declared : "DECIMAL(38,10)",
            Seen.String => declared switch
            {
                "TIMESTAMP" when _allTimestamps => "TIMESTAMP",
                "DATE" when _allDates => "DATE",
                "UUID" when _allGuids => "UUID",
                null or "VARCHAR" when ordinary && _allTimestamps => "TIMESTAMP",
                null or "VARCHAR" when ordinary && _allDates => "DATE",
                null or "VARCHAR" when ordinary && _allGuids => "UUID",
                _ => "VARCHAR",
            },
            _ => "VARCHAR",
        };
    }

    /// <summary>What the store type alone says; null when it says nothing about the values (SQLite's affinities).</summary>
    private static string? Declared(string storeType)
    {
        var type = storeType.Trim().ToLowerInvariant();
        var bare = type.Split('(')[0].Trim();
        return bare switch
        {
            "uniqueidentifier" or "uuid" => "UUID",
            "datetime2" or "datetime" or "smalldatetime" or "datetimeoffset" or "timestamp" or "timestamptz"
                or "timestamp with time zone" or "timestamp without time zone" => "TIMESTAMP",
            "date" => "DATE",
            "bit" or "boolean" or "bool" => "BOOLEAN",
            "int" or "bigint" or "smallint" or "tinyint" or "int4" or "int8" or "int2" => "BIGINT",
            "float" or "double precision" or "double" or "float8" or "float4" => "DOUBLE",
            "decimal" or "numeric" => Decimal(type),
            "money" => "DECIMAL(19,4)",
            "nvarchar" or "varchar" or "character varying" or "nchar" or "char" or "character" or "ntext" => "VARCHAR",
            _ => null, // SQLite's TEXT, INTEGER, REAL, BLOB: decided by the values
        };
    }

    private static string Decimal(string type)
    {
        var open = type.IndexOf('(', StringComparison.Ordinal);
        var parts = open < 0 ? [] : type[(open + 1)..].TrimEnd(')').Split(',');
        return parts.Length == 2 && int.TryParse(parts[0], out var precision) && int.TryParse(parts[1], out var scale)
            && precision is > 0 and <= 38 && scale >= 0 && scale <= precision
            ? $"DECIMAL({precision},{scale})"
            : "DECIMAL(38,10)";
    }

    // 2025-06-30T23:59:59Z, with up to seven fractional digits: the export's timestamps.
    private static bool IsTimestamp(ReadOnlySpan<byte> v) =>
        v.Length is >= 20 and <= 28 && IsDate(v[..10]) && v[10] == 'T' && v[13] == ':' && v[16] == ':' && v[^1] == 'Z'
        && IsDigits(v.Slice(11, 2)) && IsDigits(v.Slice(14, 2)) && IsDigits(v.Slice(17, 2))
        && (v.Length == 20 || (v[19] == '.' && v.Length > 21 && IsDigits(v[20..^1])));

    private static bool IsDate(ReadOnlySpan<byte> v) =>
        v.Length == 10 && v[4] == '-' && v[7] == '-' && IsDigits(v[..4]) && IsDigits(v.Slice(5, 2)) && IsDigits(v.Slice(8, 2));

    private static bool IsGuid(ReadOnlySpan<byte> v) =>
        v.Length == 36 && v[8] == '-' && v[13] == '-' && v[18] == '-' && v[23] == '-'
        && !v.ContainsAnyExcept("0123456789abcdefABCDEF-"u8);

    private static bool IsDigits(ReadOnlySpan<byte> v) => !v.IsEmpty && !v.ContainsAnyExceptInRange((byte)'0', (byte)'9');
}

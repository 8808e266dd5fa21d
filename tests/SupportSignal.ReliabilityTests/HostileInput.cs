using System.Text;

namespace SupportSignal.ReliabilityTests;

/// <summary>
/// Deterministic hostile strings: a corpus of known-bad inputs (SQL, traversal, markup, unicode,
/// huge values) mixed and mutated by a seeded generator, so a failure replays with the same seed.
/// </summary>
public sealed class HostileInput(int seed)
{
    public static IReadOnlyList<string> Corpus { get; } =
    [
        "", " ", "json", "JSON ", "zip", "json.gz", "xml", "csv", "json\0", "json.gz.exe",
        "users", "user_tokens", "data_protection_keys", "debug_logs", "incidents,users", "sqlite_master", "__EFMigrationsHistory",
        "'; DROP TABLE users; --", "\" OR 1=1 --", "incidents; DELETE FROM incidents", "1' UNION SELECT password_hash FROM users --",
        "incidents WHERE 1=1", "\"incidents\"", "[incidents]", "`users`", "incidents/*", "*/", "%", "_", "?", "@p0",
        "../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/shadow", "....//....//", "%2e%2e%2f%2e%2e%2f", "..%c0%af", "C:\\", "\\\\server\\share",
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "{{7*7}}", "${jndi:ldap://x}", "@(1+1)",
        "Zoë Nguyễn", "Ωμέγα", "日本語", "🔥💥", "𝕏𝕐", "\u202Eevil", "\u200B", "\uFEFF", "e\u0301", "\r\nSet-Cookie: x=1", "\t\v\f",
        "018cc251-f523-79be-8d97-e67cb68c9537", "00000000-0000-0000-0000-000000000000", "018cc251f52379be8d97e67cb68c9537", "{018cc251-f523-79be-8d97-e67cb68c9537}",
        "2026-01-31", "2026-02-30", "9999-12-31", "0001-01-01", "31/01/2026", "2026-13-01", "now", "-1", "0", "2147483648", "1e309", "NaN", "true", "null", "[]", "{}",
        new string('A', 100_000), string.Join(",", Enumerable.Repeat("incidents", 5_000)), string.Join(",", Enumerable.Range(0, 1_500).Select(i => $"t{i}")),
    ];

    private const string Alphabet =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,;:'\"`\\/.-_%&?=#*()[]{}<>|!~^$@+\0\u0001\u001b\u007f\u00e9\u00f1\u4e2d\u202e\u200b";

    private readonly Random _random = new(seed);

    public int Next(int max) => _random.Next(max);

    public bool Chance(double p) => _random.NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>A corpus value, a random string, or two of them joined.</summary>
    public string Value() => _random.Next(4) switch
    {
        0 => Pick(Corpus),
        1 => Random(_random.Next(1, 200)),
        2 => Pick(Corpus) + Pick([",", " ", "\n", "/", ""]) + Pick(Corpus),
        _ => Mutate(Pick(Corpus)),
    };

    public string Random(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(Alphabet[_random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    private string Mutate(string value)
    {
        if (value.Length == 0)
        {
            return Random(3);
        }

        var chars = value.Length > 1_000 ? value.ToCharArray(0, 1_000) : value.ToCharArray();
        chars[_random.Next(chars.Length)] = Alphabet[_random.Next(Alphabet.Length)];
        return new string(chars);
    }
}

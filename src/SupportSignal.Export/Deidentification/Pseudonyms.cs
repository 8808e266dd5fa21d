using System.Security.Cryptography;
using System.Text;

namespace SupportSignal.Export.Deidentification;

/// <summary>
/// Stable pseudonyms keyed with HMAC-SHA256: the same value gives the same pseudonym throughout
/// one export (and across exports that share a configured key), and nothing without the key
/// leads back to the value. The key lives only in this object; it is never written or logged.
/// </summary>
internal sealed class Pseudonyms(byte[] key)
{
    private readonly Dictionary<(string Domain, string Value), string> _cache = [];

    /// <summary>A fresh random key: exports made with different keys cannot be linked.</summary>
    public static byte[] RandomKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>A key derived from a configured secret, for pseudonyms that stay the same across exports.</summary>
    public static byte[] KeyFrom(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static string Normalize(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    public string Participant(string fullName) => "Participant " + Code("person", Normalize(fullName), 6);

    public string User(string fullName) => "User " + Code("person", Normalize(fullName), 6);

    public string Contact(string name) => "Contact " + Code("person", Normalize(name), 6);

    public string Email(string email) => $"user-{Code("email", email.Trim().ToLowerInvariant(), 6).ToLowerInvariant()}@example.invalid";

    public string NdisNumber(string number) => "NDIS-" + Code("ndis", new string(number.Where(char.IsAsciiDigit).ToArray()), 8);

    /// <summary>The upper-case hex code of a value: the first <paramref name="length"/> digits of its HMAC.</summary>
    public string Code(string domain, string value, int length)
    {
        if (_cache.TryGetValue((domain, value), out var code))
        {
            return code;
        }

        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(domain + "\0" + value), hash);
        code = Convert.ToHexString(hash)[..length];
        _cache[(domain, value)] = code;
        return code;
    }
}

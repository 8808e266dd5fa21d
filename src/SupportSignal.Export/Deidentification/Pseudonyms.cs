using System.Collections.Concurrent;
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
    // Each pseudonym as written, by the value as stored: one string per person, however many rows name them.
    // Parallel readers share it; a pseudonym depends only on the key and the value, so whichever adds it first writes the same.
    private readonly ConcurrentDictionary<(Kind, string Value), string> _written = [];

    private enum Kind
    {
        Participant,
        User,
        Contact,
        Email,
        Ndis,
    }

    /// <summary>A fresh random key: exports made with different keys cannot be linked.</summary>
    public static byte[] RandomKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>A key derived from a configured secret, for pseudonyms that stay the same across exports.</summary>
    public static byte[] KeyFrom(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static string Normalize(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    public string Participant(string fullName) => Written(Kind.Participant, fullName);

    public string User(string fullName) => Written(Kind.User, fullName);

    public string Contact(string name) => Written(Kind.Contact, name);

    public string Email(string email) => Written(Kind.Email, email);

    public string NdisNumber(string number) => Written(Kind.Ndis, number);

    private string Written(Kind kind, string value)
    {
        if (!_written.TryGetValue((kind, value), out var pseudonym))
        {
            pseudonym = _written.GetOrAdd((kind, value), kind switch
            {
                Kind.Participant => "Participant " + Code("person", Normalize(value), 6),
                Kind.User => "User " + Code("person", Normalize(value), 6),
                Kind.Contact => "Contact " + Code("person", Normalize(value), 6),
                Kind.Email => $"user-{Code("email", value.Trim().ToLowerInvariant(), 6).ToLowerInvariant()}@example.invalid",
                _ => "NDIS-" + Code("ndis", new string(value.Where(char.IsAsciiDigit).ToArray()), 8),
            });
        }

        return pseudonym;
    }

    /// <summary>The upper-case hex code of a value: the first <paramref name="length"/> digits of its HMAC.</summary>
    private string Code(string domain, string value, int length)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(domain + "\0" + value), hash);
        return Convert.ToHexString(hash)[..length];
    }
}

using Bogus;

namespace SupportSignal.DemoData;

/// <summary>
/// Deterministic identifiers shaped like UUID version 7: a millisecond clock (here a
/// counter from a fixed epoch) followed by seeded random bits. Ids therefore rise in
/// creation order, so every primary-key and foreign-key index is filled by appending,
/// which keeps a multi-million-row load fast, and the same seed gives the same ids.
/// </summary>
internal sealed class DemoIds(Randomizer random, DateTime epoch)
{
    private readonly byte[] _tail = new byte[8];
    private long _clock = new DateTimeOffset(epoch).ToUnixTimeMilliseconds();

    public Guid Next()
    {
        var ms = _clock++;
        random.Bytes(8).CopyTo(_tail, 0);
        // RFC 9562 variant bits; the version nibble (7) goes into the third group.
        _tail[0] = (byte)((_tail[0] & 0x3F) | 0x80);
        var versionAndRandom = (short)(0x7000 | random.Number(0, 0x0FFF));
        return new Guid((int)(ms >> 16), (short)(ms & 0xFFFF), versionAndRandom, _tail);
    }

    /// <summary>A random URL-safe token of <paramref name="bytes"/> random bytes, as invitation and session tokens are.</summary>
    public string Token(int bytes = 32) =>
        Convert.ToBase64String(random.Bytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public string Hex(int bytes) => Convert.ToHexString(random.Bytes(bytes));
}

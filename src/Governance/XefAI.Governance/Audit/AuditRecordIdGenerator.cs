using System.Buffers.Binary;
using System.Security.Cryptography;

namespace XefAI.Governance;

/// <summary>
/// Makes record ids "aud_" + a ULID: 48-bit milliseconds and 80 random bits in Crockford base32, so ids
/// sort by time. Within one millisecond the random part counts up, so ids also sort in commit order.
/// Not thread-safe: only the audit writer calls it.
/// </summary>
internal sealed class AuditRecordIdGenerator(TimeProvider timeProvider)
{
    public const string Prefix = "aud_";
    public const int Length = 30;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    // The random part's 80 bits.
    private const int RandomBytes = 10;

    private static readonly UInt128 MaxRandom = (UInt128.One << 80) - 1;

    private readonly byte[] _random = new byte[RandomBytes * 32];
    private int _randomOffset = RandomBytes * 32;

    private long _lastMilliseconds = -1;
    private UInt128 _lastRandom;

    public string Next()
    {
        var milliseconds = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        UInt128 random;
        if (milliseconds <= _lastMilliseconds)
        {
            // Same millisecond, or the clock stepped back: stay monotonic.
            milliseconds = _lastMilliseconds;
            random = _lastRandom + 1;
            if (random > MaxRandom)
            {
                milliseconds++;
                random = NewRandom();
            }
        }
        else
        {
            random = NewRandom();
        }

        _lastMilliseconds = milliseconds;
        _lastRandom = random;
        return Encode(((UInt128)(ulong)milliseconds << 80) | random);
    }

    // The random parts of the next ids, drawn from the CSPRNG together: one draw costs about as much (~1 µs through
    // OpenSSL) for 10 bytes as for 320, and a writer draws for nearly every record, each in a new millisecond.
    private UInt128 NewRandom()
    {
        if (_randomOffset == _random.Length)
        {
            RandomNumberGenerator.Fill(_random);
            _randomOffset = 0;
        }

        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        _random.AsSpan(_randomOffset, RandomBytes).CopyTo(bytes);
        _randomOffset += RandomBytes;
        return BinaryPrimitives.ReadUInt128LittleEndian(bytes);
    }

    private static string Encode(UInt128 value) =>
        string.Create(Length, value, static (chars, v) =>
        {
            Prefix.CopyTo(chars);
            for (var i = 0; i < 26; i++)
            {
                chars[Prefix.Length + i] = Alphabet[(int)((v >> ((25 - i) * 5)) & 31)];
            }
        });
}

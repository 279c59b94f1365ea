using System.Buffers.Binary;
using System.Security.Cryptography;

namespace XefAI.Gateway.Admin;

/// <summary>
/// The opaque paging cursor of audit searches: the sequence number the previous page ended at. Records are
/// paged by sequence, never by time, because many records share a timestamp and a time-based page boundary
/// skips or repeats them; a sequence is unique and records committed later always get higher ones.
/// </summary>
/// <remarks>
/// Base64url of a version byte, the sequence (8 bytes, big-endian) and a 4-byte check over both. The check
/// is no secret: it only tells a cursor this gateway wrote from a truncated, edited or made-up one, which
/// is refused instead of silently paging from an arbitrary place.
/// </remarks>
internal static class AuditCursor
{
    private const byte Version = 1;
    private const int PayloadLength = 9;
    private const int CheckLength = 4;

    public static string Encode(long sequence)
    {
        Span<byte> bytes = stackalloc byte[PayloadLength + CheckLength];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..PayloadLength], sequence);
        Check(bytes[..PayloadLength], bytes[PayloadLength..]);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <returns>False for anything <see cref="Encode"/> did not produce.</returns>
    public static bool TryDecode(string? cursor, out long sequence)
    {
        sequence = 0;
        if (cursor is null || cursor.Length != 18 || !cursor.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/') + "==";
        Span<byte> bytes = stackalloc byte[PayloadLength + CheckLength];
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != bytes.Length || bytes[0] != Version)
        {
            return false;
        }

        Span<byte> check = stackalloc byte[CheckLength];
        Check(bytes[..PayloadLength], check);
        if (!check.SequenceEqual(bytes[PayloadLength..]))
        {
            return false;
        }

        sequence = BinaryPrimitives.ReadInt64BigEndian(bytes[1..PayloadLength]);
        return sequence > 0;
    }

    private static void Check(ReadOnlySpan<byte> payload, Span<byte> check)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(payload, hash);
        hash[..CheckLength].CopyTo(check);
    }
}

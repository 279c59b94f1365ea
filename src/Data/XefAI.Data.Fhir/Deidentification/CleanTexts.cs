using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace XefAI.Data.Deidentification;

/// <summary>
/// Texts a scan found clean while it knew nothing of the call: no clinical context and no names learned from the call's
/// earlier texts. Such a scan depends on the text alone, so the same text scanned that way again finds nothing again and
/// need not be scanned. System prompts, templates and tool descriptions repeat on every call an app makes; they are
/// often the longest texts of a call. Only a digest of each text is kept (SHA-256, 128 bits of it), never the text, so
/// a value the scanner missed is not held past its call, and no text can be made to pass for a remembered one. The digest
/// is keyed by the calling app (its scope): an app whose text is skipped answers faster, so with one set for all, an app
/// could time its calls to learn that another had recently sent an exact text. Bounded: when full, everything is
/// forgotten at once (a repeated text is scanned once more, then remembered again).
/// </summary>
internal sealed class CleanTexts(int capacity = CleanTexts.DefaultCapacity)
{
    /// <summary>Shorter texts are scanned each time: their scan costs little more than their digest.</summary>
    public const int MinLength = 64;

    public const int DefaultCapacity = 4096;

    private readonly ConcurrentDictionary<UInt128, byte> _digests = new();
    private int _count;

    // The hints of the remembered texts (see MayContain): 64K bits, a few of them set when the set is full.
    private const int HintBits = 1 << 16;
    private readonly long[] _hints = new long[HintBits / 64];
    private volatile bool _unhinted;

    /// <summary>How many digests are held (at most the capacity).</summary>
    public int Count => Volatile.Read(ref _count);

    // Longest scope hashed on the stack; an app id is far shorter.
    private const int MaxStackScopeBytes = 512;

    /// <summary>The text's digest, when the text is long enough to be remembered.</summary>
    public static bool TryDigest(string text, out UInt128 digest) => TryDigest(text, scope: null, out digest);

    /// <summary>
    /// The text's digest for <paramref name="scope"/> (the calling app), when the text is long enough to be remembered:
    /// the same text has another digest for another scope. Null or empty: the digest of no scope.
    /// </summary>
    public static bool TryDigest(string text, string? scope, out UInt128 digest)
    {
        if (text.Length < MinLength)
        {
            digest = default;
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(text.AsSpan()), hash);
        if (!string.IsNullOrEmpty(scope))
        {
            // The text's hash (fixed length) then the scope: no two (text, scope) pairs give one input.
            var scopeBytes = MemoryMarshal.AsBytes(scope.AsSpan());
            var length = hash.Length + scopeBytes.Length;
            Span<byte> keyed = length <= SHA256.HashSizeInBytes + MaxStackScopeBytes ? stackalloc byte[length] : new byte[length];
            hash.CopyTo(keyed);
            scopeBytes.CopyTo(keyed[hash.Length..]);
            SHA256.HashData(keyed, hash);
        }

        digest = BinaryPrimitives.ReadUInt128LittleEndian(hash);
        return true;
    }

    public bool Contains(UInt128 digest) => _digests.ContainsKey(digest);

    /// <summary>
    /// Whether the text may have been remembered for <paramref name="scope"/>: false when it surely was not, so that its
    /// digest need not be worked out. One bit per (text, scope) hash, set when a text is remembered with
    /// <see cref="Add(UInt128, string, string?)"/>; a set bit says only "maybe", the digest decides.
    /// </summary>
    public bool MayContain(string text, string? scope)
    {
        if (_unhinted)
        {
            return true;
        }

        var bit = HintBit(text, scope);
        return (Volatile.Read(ref _hints[bit >> 6]) & (1L << bit)) != 0;
    }

    public void Add(UInt128 digest)
    {
        // Its text unknown, no hint can be set for it: every text may then be remembered.
        _unhinted = true;
        AddDigest(digest);
    }

    /// <summary>Remembers the digest of <paramref name="text"/> for <paramref name="scope"/>, with its hint.</summary>
    public void Add(UInt128 digest, string text, string? scope)
    {
        AddDigest(digest);
        var bit = HintBit(text, scope);
        Interlocked.Or(ref _hints[bit >> 6], 1L << bit);
    }

    // A text's hint: a hash of the text and the scope (the process's own string hash, never kept past the process).
    private static int HintBit(string text, string? scope) =>
        (int)((uint)HashCode.Combine(string.GetHashCode(text.AsSpan()), string.IsNullOrEmpty(scope) ? 0 : string.GetHashCode(scope.AsSpan())) % HintBits);

    private void AddDigest(UInt128 digest)
    {
        if (Volatile.Read(ref _count) >= capacity)
        {
            // Another thread may add between the clear and the reset: the count is an upper bound's guard, not exact.
            _digests.Clear();
            Array.Clear(_hints);
            Volatile.Write(ref _count, 0);
        }

        if (_digests.TryAdd(digest, 0))
        {
            Interlocked.Increment(ref _count);
        }
    }
}

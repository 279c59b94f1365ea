using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace XefAI.Governance;

/// <summary>Where one writer's chain ended when a checkpoint was taken: its last record's position and hash.</summary>
internal readonly record struct AuditChainEnd(string Chain, long Sequence, string Hash);

/// <summary>
/// A checkpoint binds the end of every writer's chain that moved since the checkpoint before into one Merkle root,
/// with the number of records all chains hold; checkpoints form a hash chain of their own. So the checkpoints up to
/// one vouch for every record before it: none can be altered, removed, reordered or dropped with its whole chain
/// without breaking a record's link, a chain's end, a root, a count or a checkpoint's hash. A chain that stopped
/// (its process ended) is named by no later checkpoint: a checkpoint's size follows the writers active since the
/// last, not every chain the trail ever had.
/// </summary>
/// <remarks>
/// The forms here are frozen like the records' (<see cref="AuditChainHasher"/>). A leaf is SHA-256 over a zero byte
/// and the JSON array <c>[chain, seq, hash]</c>; an inner node is SHA-256 over a one byte and its two children, so
/// a leaf can never pass for a node. A level with an odd node out carries it up unchanged. The ends are sorted by
/// chain id (ordinal), so the root does not depend on the order the database returns them in. A checkpoint's hash
/// is SHA-256 over the JSON object <c>{checkpoint_version, seq, timestamp, chains, records, root, prev_hash}</c>, where
/// <c>chains</c> counts the ends it names and <c>records</c> the records of every chain, named or not.
/// </remarks>
internal static class AuditCheckpoints
{
    public const int Version = 1;

    /// <summary>The root of no chains, and the previous hash of the first checkpoint.</summary>
    public const string EmptyHash = AuditChainHasher.GenesisHash;

    /// <summary>Sorts the ends by chain id and refuses a chain named twice.</summary>
    /// <exception cref="FormatException">A chain appears twice.</exception>
    public static AuditChainEnd[] Sorted(IEnumerable<AuditChainEnd> ends)
    {
        var sorted = ends.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Chain, b.Chain));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i - 1].Chain, sorted[i].Chain, StringComparison.Ordinal))
            {
                throw new FormatException($"Chain {sorted[i].Chain} appears twice.");
            }
        }

        return sorted;
    }

    /// <param name="ends">Sorted by chain id (<see cref="Sorted"/>).</param>
    public static string MerkleRoot(IReadOnlyList<AuditChainEnd> ends)
    {
        if (ends.Count == 0)
        {
            return EmptyHash;
        }

        var level = new byte[ends.Count][];
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            for (var i = 0; i < ends.Count; i++)
            {
                buffer.ResetWrittenCount();
                buffer.Write((ReadOnlySpan<byte>)[0]);
                json.Reset(buffer);
                json.WriteStartArray();
                json.WriteStringValue(ends[i].Chain);
                json.WriteNumberValue(ends[i].Sequence);
                json.WriteStringValue(ends[i].Hash);
                json.WriteEndArray();
                json.Flush();
                level[i] = SHA256.HashData(buffer.WrittenSpan);
            }
        }

        Span<byte> pair = stackalloc byte[1 + (2 * SHA256.HashSizeInBytes)];
        pair[0] = 1;
        var count = level.Length;
        while (count > 1)
        {
            var next = 0;
            for (var i = 0; i < count; i += 2)
            {
                if (i + 1 == count)
                {
                    level[next++] = level[i];
                    continue;
                }

                level[i].CopyTo(pair[1..]);
                level[i + 1].CopyTo(pair[(1 + SHA256.HashSizeInBytes)..]);
                level[next++] = SHA256.HashData(pair);
            }

            count = next;
        }

        return Convert.ToHexStringLower(level[0]);
    }

    /// <summary>How many records the ends account for, when they are every chain's: each is numbered from 1 without gaps.</summary>
    public static long Records(IReadOnlyList<AuditChainEnd> ends)
    {
        var records = 0L;
        foreach (var end in ends)
        {
            records += end.Sequence;
        }

        return records;
    }

    /// <param name="records">The records of every chain at this checkpoint, not only of those it names.</param>
    public static string ComputeHash(long sequence, string timestamp, IReadOnlyList<AuditChainEnd> ends, long records, string root, string previousHash)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("checkpoint_version"u8, Version);
            json.WriteNumber("seq"u8, sequence);
            json.WriteString("timestamp"u8, timestamp);
            json.WriteNumber("chains"u8, ends.Count);
            json.WriteNumber("records"u8, records);
            json.WriteString("root"u8, root);
            json.WriteString("prev_hash"u8, previousHash);
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The ends as stored: a JSON array of <c>[chain, seq, hash]</c> arrays, in the order given.</summary>
    public static string WriteEnds(IReadOnlyList<AuditChainEnd> ends)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (ends.Count * 128));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var end in ends)
            {
                json.WriteStartArray();
                json.WriteStringValue(end.Chain);
                json.WriteNumberValue(end.Sequence);
                json.WriteStringValue(end.Hash);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <exception cref="FormatException">The text is not an array of <c>[chain, seq, hash]</c> arrays, or names a chain twice.</exception>
    public static AuditChainEnd[] ParseEnds(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The chain ends are not a JSON array.");
            }

            var ends = new List<AuditChainEnd>(document.RootElement.GetArrayLength());
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() != 3
                    || item[0].ValueKind != JsonValueKind.String || item[2].ValueKind != JsonValueKind.String
                    || !item[1].TryGetInt64(out var sequence) || sequence < 0)
                {
                    throw new FormatException("A chain end is not a [chain, seq, hash] array.");
                }

                ends.Add(new AuditChainEnd(item[0].GetString()!, sequence, item[2].GetString()!));
            }

            return Sorted(ends);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The chain ends are not valid JSON.", ex);
        }
    }
}

using System.Data.Common;

namespace XefAI.Governance;

/// <summary>How one store reads an audit row's fields; the verifier reads them in this order.</summary>
internal sealed record AuditRowReader<TReader>(
    Func<TReader, string> ReadId,
    Func<TReader, long> ReadSequence,
    Func<TReader, long> ReadHashVersion,
    Func<TReader, AuditRecord> ReadRecord)
    where TReader : DbDataReader;

/// <summary>What a store's head row says the chain ends with.</summary>
internal readonly record struct AuditChainHead(long Sequence, string Hash);

/// <summary>Where a walk of a single chain starts: after a record an earlier walk proved, its seq and hash.</summary>
internal readonly record struct AuditChainStart(long Sequence, string Hash);

/// <summary>Walks an audit chain's rows in seq order and checks each one's sequence, link and hash.</summary>
internal static class AuditChainVerifier
{
    /// <remarks>
    /// <see cref="AuditChainVerification.Records"/> counts the records found intact before the first broken one.
    /// With a <paramref name="head"/>, the walk must also end where it says: the chain alone cannot notice
    /// records removed from its end, or its last record rewritten with a recomputed hash.
    /// </remarks>
    public static async ValueTask<AuditChainVerification> VerifyAsync<TReader>(
        TReader reader, AuditRowReader<TReader> rows, AuditChainHead? head, CancellationToken cancellationToken)
        where TReader : DbDataReader
    {
        using var walk = new AuditChainWalk();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (walk.Check(reader, rows) is { } broken)
            {
                return broken;
            }
        }

        return walk.Finish(head);
    }
}

/// <summary>
/// One walk of a single chain, fed its rows in seq order a row at a time, so a store can read them in pages. It may
/// start after a record an earlier walk proved: it then trusts that record and every one before it.
/// </summary>
internal sealed class AuditChainWalk(AuditChainStart? start = null) : IDisposable
{
    private readonly AuditChainHasher _hasher = new();
    private long _expectedSequence = (start?.Sequence ?? 0) + 1;
    private string _expectedPrevious = start?.Hash ?? AuditChainHasher.GenesisHash;
    private long _intact = start?.Sequence ?? 0;
    private string? _lastId;

    /// <summary>The last record proved so far (the start's, before any): where a later walk may resume.</summary>
    public AuditChainStart Proved => new(_expectedSequence - 1, _expectedPrevious);

    public void Dispose() => _hasher.Dispose();

    /// <summary>Checks the reader's current row; the verdict when it breaks the chain, otherwise null.</summary>
    public AuditChainVerification? Check<TReader>(TReader reader, AuditRowReader<TReader> rows)
        where TReader : DbDataReader
    {
        var id = rows.ReadId(reader);
        var sequence = rows.ReadSequence(reader);
        long version;
        AuditRecord record;
        try
        {
            // Checked before the rest is read: a form this gateway does not know may store fields differently.
            version = rows.ReadHashVersion(reader);
            if (!AuditChainHasher.IsKnownVersion(version))
            {
                return Broken(id, $"Record {id} (seq {sequence}) has hash version {version}, which this gateway does not know: it cannot be verified.");
            }

            // The form that names a writer's chain belongs to a store with one chain per writer, never to this one.
            if (version == AuditChainHasher.ChainedVersion)
            {
                return Broken(id, $"Record {id} (seq {sequence}) has hash version {version}, which a store with a single chain never writes: it was altered.");
            }

            record = rows.ReadRecord(reader);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or InvalidOperationException or OverflowException)
        {
            return Broken(id, $"Record {id} (seq {sequence}) cannot be read: {ex.Message}");
        }

        if (sequence != _expectedSequence)
        {
            return Broken(id, $"Record {id} has seq {sequence} where {_expectedSequence} was expected: a record before it is missing.");
        }

        if (!string.Equals(record.PreviousHash, _expectedPrevious, StringComparison.Ordinal))
        {
            return Broken(id, $"Record {id} (seq {sequence}) does not link to the hash of the record before it: that record was removed or rewritten.");
        }

        // A value its form does not cover was put there after the record was written.
        if (AuditChainHasher.UncoveredField(version, record.Entry) is { } uncovered)
        {
            return Broken(id, $"Record {id} (seq {sequence}) holds {uncovered}, which its hash version {version} does not cover: its contents were altered.");
        }

        // Each record is hashed with the form it was written with, so a new form never breaks old records.
        if (!string.Equals(_hasher.ComputeHash((int)version, id, sequence, record.Entry, record.PreviousHash), record.Hash, StringComparison.Ordinal))
        {
            return Broken(id, $"Record {id} (seq {sequence}) does not match its hash: its contents were altered.");
        }

        _intact++;
        _expectedSequence = sequence + 1;
        _expectedPrevious = record.Hash;
        _lastId = id;
        return null;
    }

    /// <summary>
    /// The verdict once every row was checked. With a <paramref name="head"/>, the walk must also end where it says:
    /// the chain alone cannot notice records removed from its end, or its last record rewritten with a recomputed hash.
    /// </summary>
    public AuditChainVerification Finish(AuditChainHead? head)
    {
        if (head is { } end)
        {
            var lastSequence = _expectedSequence - 1;
            if (lastSequence < end.Sequence)
            {
                return new AuditChainVerification(
                    false,
                    _intact,
                    Problem: $"The chain ends at seq {lastSequence} but its head records seq {end.Sequence}: records at its end were removed.");
            }

            if (!string.Equals(_expectedPrevious, end.Hash, StringComparison.Ordinal))
            {
                return _lastId is null
                    ? new AuditChainVerification(false, 0, Problem: "The chain is empty but its head names a record's hash: the head was rewritten.")
                    : Broken(_intact - 1, _lastId, $"Record {_lastId} (seq {lastSequence}) is not the record the chain head names: it, or the head, was rewritten.");
            }
        }

        return new AuditChainVerification(true, _intact);
    }

    private AuditChainVerification Broken(string id, string problem) => Broken(_intact, id, problem);

    private static AuditChainVerification Broken(long intact, string id, string problem) => new(false, intact, id, problem);
}

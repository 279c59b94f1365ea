using System.Globalization;
using Microsoft.Data.Sqlite;

namespace XefAI.Governance;

/// <summary>
/// Verifies the SQLite audit trail, its single chain, as a request asks: counts what the walk will read first (so a
/// caller can refuse a walk too long for it before it starts), reads the records in pages, reports progress and rests
/// after each page (<see cref="AuditWalkPace"/>), and records the last record a walk proved intact. An incremental
/// walk resumes after that record, once it has checked the record is still there with the hash the walk proved.
/// </summary>
/// <remarks>
/// An incremental walk trusts the part of the chain an earlier walk proved: a record before the last proved one that
/// was altered since is found by a full walk only. Each page is read on its own, so no read snapshot stays open while
/// the walk rests; records only ever join the chain at its end, so appends meanwhile cannot tear the walk.
/// </remarks>
internal sealed class SqliteAuditVerifier(SqliteConnection connection, AuditVerificationRequest request, TimeProvider time)
{
    private readonly AuditWalkPace _pace = new(request, time);

    public async Task<AuditChainVerification> RunAsync(CancellationToken cancellationToken)
    {
        // The last record a walk proved anchors the chain's length: a full walk checks it as an incremental one does, or
        // a truncation past it (with or without records written again after it) would pass a full walk.
        var mark = await ReadLastVerifiedAsync(cancellationToken);
        AuditChainStart? start = null;
        if (request.Mode == AuditVerificationMode.Incremental && mark is { } resumeFrom)
        {
            if (await CheckProvedAsync(resumeFrom, cancellationToken) is { } gone)
            {
                return gone with { Checked = 0 };
            }

            start = resumeFrom;
        }

        var from = start?.Sequence ?? 0;
        _pace.ToCheck = Math.Max(0, await ReadLastSequenceAsync(cancellationToken) - from);
        _pace.Report();

        // A caller that finds the walk too long cancels on that report, before a record is read.
        cancellationToken.ThrowIfCancellationRequested();
        using var walk = new AuditChainWalk(start);
        var after = from;
        while (true)
        {
            var read = 0;
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = SqliteAuditSchema.SelectPageAfter;
                command.Parameters.AddWithValue("$after", after);
                command.Parameters.AddWithValue("$limit", AuditWalkPace.RecordPage);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    read++;
                    if (walk.Check(reader, SqliteAuditSchema.Rows) is { } broken)
                    {
                        return broken with { ResumedFrom = start?.Sequence, Checked = _pace.Checked };
                    }

                    _pace.RecordChecked();
                    after = SqliteAuditSchema.ReadSequence(reader);
                }
            }

            if (read < AuditWalkPace.RecordPage)
            {
                break;
            }

            await _pace.PageDoneAsync(cancellationToken);
        }

        var verdict = walk.Finish(head: null);
        _pace.Report();
        if (verdict.Valid && start is null && mark is { } anchor && await CheckProvedAsync(anchor, cancellationToken) is { } lost)
        {
            return lost with { Checked = _pace.Checked };
        }

        if (walk.Proved.Sequence > from)
        {
            await TryRecordVerifiedAsync(walk.Proved, cancellationToken);
        }

        return verdict with
        {
            Checkpoint = walk.Proved.Sequence > 0 ? walk.Proved.Sequence : null,
            ResumedFrom = start?.Sequence,
            Checked = _pace.Checked,
        };
    }

    /// <summary>Null when the record an earlier walk proved is still there with the hash it proved; else the verdict.</summary>
    private async Task<AuditChainVerification?> CheckProvedAsync(AuditChainStart mark, CancellationToken cancellationToken)
    {
        var position = mark.Sequence.ToString(CultureInfo.InvariantCulture);
        var proved = await ReadIdAndHashAsync(mark.Sequence, cancellationToken);
        if (proved is not { } row)
        {
            return new AuditChainVerification(false, 0, Problem: $"Record seq {position}, the last an earlier verification proved, is missing: it was deleted.");
        }

        return string.Equals(row.Hash, mark.Hash, StringComparison.Ordinal)
            ? null
            : new AuditChainVerification(false, 0, row.Id, $"Record {row.Id} (seq {position}) is not the record an earlier verification proved: it was rewritten.");
    }

    private async Task<AuditChainStart?> ReadLastVerifiedAsync(CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteAuditSchema.SelectLastVerified;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new AuditChainStart(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    private async Task<(string Id, string Hash)?> ReadIdAndHashAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteAuditSchema.SelectIdAndHash;
        command.Parameters.AddWithValue("$seq", sequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    private async Task<long> ReadLastSequenceAsync(CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteAuditSchema.SelectLastSequence;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Marks where the walk proved the chain, for the next walk to resume from. The mark is bookkeeping, not the verdict:
    /// when it cannot be written (the write lock taken past the busy timeout by the writer committing under load or
    /// another walk's mark, a full disk, a read-only file), the verdict stands unmarked and the next walk resumes from
    /// the mark before, rather than the walk failing. A walk only reads: on a full disk it still answers.
    /// </summary>
    private async Task TryRecordVerifiedAsync(AuditChainStart proved, CancellationToken cancellationToken)
    {
        try
        {
            await RecordVerifiedAsync(proved, cancellationToken);
        }
        catch (SqliteException)
        {
            // The writer's own commits meet the same cause and log it; the mark is written by the next walk that can.
        }
    }

    private async Task RecordVerifiedAsync(AuditChainStart proved, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteAuditSchema.InsertVerified;
        command.Parameters.AddWithValue("$seq", proved.Sequence);
        command.Parameters.AddWithValue("$hash", proved.Hash);
        command.Parameters.AddWithValue("$at", AuditChainHasher.FormatTimestamp(time.GetUtcNow()));
        command.Parameters.AddWithValue("$full", request.Mode == AuditVerificationMode.Full ? 1 : 0);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

using System.Collections.Immutable;

namespace XefAI.Governance;

/// <summary>
/// Rejects an entry before it joins a batch: one bad entry must not fail everyone else's commit, and a
/// value SQLite would store differently from how it was hashed would later look like tampering.
/// </summary>
internal static class AuditEntryGuard
{
    /// <summary>
    /// Returns the entry to commit: validated, with a private copy of its attempts, so a list the caller
    /// still holds cannot change between the checks here and the hash.
    /// </summary>
    public static AuditEntry Prepare(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // A caller's list could change after the append; an immutable array cannot, and is kept as it is.
        if (entry.Attempts is { Count: > 0 } attempts and not ImmutableArray<AuditAttempt>)
        {
            entry = entry with { Attempts = [.. attempts] };
        }

        // SQLite stores a REAL negative zero as 0, which hashes as "0" where "-0" was hashed: the record would
        // read as tampered. Both mean zero, so zero is what is committed.
        if (IsNegativeZero(entry.LatencyMs))
        {
            entry = entry with { LatencyMs = 0 };
        }

        if (entry.CostUsd is { } cost && IsNegativeZero(cost))
        {
            entry = entry with { CostUsd = 0 };
        }

        Validate(entry);
        return entry;
    }

    public static void Validate(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        if (string.IsNullOrEmpty(entry.TraceId))
        {
            throw new ArgumentException("An audit entry needs a trace id.", nameof(entry));
        }

        if (string.IsNullOrEmpty(entry.Decision))
        {
            throw new ArgumentException("An audit entry needs a decision.", nameof(entry));
        }

        if (!double.IsFinite(entry.LatencyMs))
        {
            throw new ArgumentException($"An audit entry's latency must be a finite number, not {entry.LatencyMs}.", nameof(entry));
        }

        if (entry.CostUsd is { } cost && (!double.IsFinite(cost) || cost < 0))
        {
            throw new ArgumentException($"An audit entry's cost must be a finite number of at least 0, not {cost}.", nameof(entry));
        }

        if (entry.Attempts is null)
        {
            throw new ArgumentException("An audit entry's attempts must not be null; leave them empty when no provider was tried.", nameof(entry));
        }

        for (var i = 0; i < entry.Attempts.Count; i++)
        {
            ValidateAttempt(entry.Attempts[i], i);
        }

        // Bounded codes only: these are metric-like fields, never a place for text from the call.
        if (entry.DeIdentification is not (null or DeIdentificationOutcomes.Applied or DeIdentificationOutcomes.OptedOut or DeIdentificationOutcomes.NotRequired))
        {
            throw new ArgumentException(
                $"An audit entry's de-identification must be {DeIdentificationOutcomes.Applied}, {DeIdentificationOutcomes.OptedOut}, {DeIdentificationOutcomes.NotRequired} or null.", nameof(entry));
        }

        if (entry.Redactions is { } redactions && !AuditRedactions.IsCanonical(redactions))
        {
            throw new ArgumentException("An audit entry's redactions must be sorted kind=count pairs joined with commas (AuditRedactions.Format).", nameof(entry));
        }

        if (entry.Feedback is { } feedback && !AuditFeedback.IsCanonical(feedback))
        {
            throw new ArgumentException("An audit entry's feedback must be accepted, overridden or overridden:<code> (AuditFeedback.Format).", nameof(entry));
        }

        foreach (var (field, value) in (ReadOnlySpan<(string, string?)>)
        [
            (nameof(AuditEntry.TraceId), entry.TraceId),
            (nameof(AuditEntry.AppId), entry.AppId),
            (nameof(AuditEntry.PatientPseudonym), entry.PatientPseudonym),
            (nameof(AuditEntry.UseCaseId), entry.UseCaseId),
            (nameof(AuditEntry.Decision), entry.Decision),
            (nameof(AuditEntry.Reasons), entry.Reasons),
            (nameof(AuditEntry.Provider), entry.Provider),
            (nameof(AuditEntry.Deployment), entry.Deployment),
            (nameof(AuditEntry.Model), entry.Model),
            (nameof(AuditEntry.InputSha256), entry.InputSha256),
            (nameof(AuditEntry.OutputSha256), entry.OutputSha256),
            (nameof(AuditEntry.UserId), entry.UserId),
            (nameof(AuditEntry.InputText), entry.InputText),
            (nameof(AuditEntry.OutputText), entry.OutputText),
            (nameof(AuditEntry.RelatesTo), entry.RelatesTo),
        ])
        {
            if (!IsWellFormed(value))
            {
                throw new ArgumentException($"The audit entry's {field} is not well-formed UTF-16.", nameof(entry));
            }
        }
    }

    private static void ValidateAttempt(AuditAttempt? attempt, int index)
    {
        if (attempt is null)
        {
            throw new ArgumentException($"{At(index)} is null.", "entry");
        }

        if (string.IsNullOrEmpty(attempt.Deployment))
        {
            throw new ArgumentException($"{At(index)} needs a deployment.", "entry");
        }

        if (string.IsNullOrEmpty(attempt.Outcome))
        {
            throw new ArgumentException($"{At(index)} needs an outcome.", "entry");
        }

        // JSON has no NaN or infinity, so such a latency could not even be stored.
        if (!double.IsFinite(attempt.LatencyMs))
        {
            throw new ArgumentException($"{At(index)} has latency {attempt.LatencyMs}; it must be a finite number.", "entry");
        }

        foreach (var (field, value) in (ReadOnlySpan<(string, string?)>)
        [
            (nameof(AuditAttempt.Deployment), attempt.Deployment),
            (nameof(AuditAttempt.Destination), attempt.Destination),
            (nameof(AuditAttempt.Outcome), attempt.Outcome),
        ])
        {
            if (!IsWellFormed(value))
            {
                throw new ArgumentException($"{At(index)}'s {field} is not well-formed UTF-16.", "entry");
            }
        }
    }

    // Only a refused attempt needs its name: a valid one costs no string.
    private static string At(int index) => $"The audit entry's attempt {index}";

    private static bool IsNegativeZero(double value) => value == 0 && double.IsNegative(value);

    // A lone surrogate becomes U+FFFD in SQLite's UTF-8 but hashes as written.
    private static bool IsWellFormed(string? value)
    {
        if (value is null)
        {
            return true;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}

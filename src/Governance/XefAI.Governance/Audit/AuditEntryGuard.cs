namespace XefAI.Governance;

/// <summary>
/// Rejects an entry before it joins a batch: one bad entry must not fail everyone else's commit, and a
/// string SQLite would store differently from how it was hashed would later look like tampering.
/// </summary>
internal static class AuditEntryGuard
{
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
        ])
        {
            if (!IsWellFormed(value))
            {
                throw new ArgumentException($"The audit entry's {field} is not well-formed UTF-16.", nameof(entry));
            }
        }
    }

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

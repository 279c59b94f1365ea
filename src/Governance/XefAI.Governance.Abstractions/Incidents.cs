namespace XefAI.Governance;

public enum IncidentSeverity
{
    Low,
    Moderate,
    High,
    Critical,
}

/// <summary>A reported problem with a use case's answers, e.g. a clinician flagging a harmful output.</summary>
/// <param name="Id">Incident id, <c>inc_</c> and a time-ordered GUID.</param>
/// <param name="AuditId">The audit record of the call concerned, when the report names one.</param>
public sealed record Incident(
    string Id,
    string? AuditId,
    string UseCaseId,
    string Reporter,
    string Description,
    IncidentSeverity Severity,
    DateTimeOffset Time)
{
    /// <summary>Position in the state store's incident history; 0 until stored.</summary>
    public long Sequence { get; init; }
}

/// <summary>Filters for listing incidents, newest first; null means any.</summary>
public sealed record IncidentQuery(string? UseCaseId = null, DateTimeOffset? Since = null, int Limit = 100);

/// <summary>A stored incident and, when it tipped the use case over <c>Governance:Incidents:SuspendAfter</c>, the automatic suspension.</summary>
public sealed record IncidentReport(Incident Incident, UseCaseStatusChange? Suspension);

/// <summary>
/// Takes incident reports. When a use case's incidents since it last became active, within
/// <c>Governance:Incidents:Window</c>, reach <c>Governance:Incidents:SuspendAfter</c>, it is suspended automatically
/// (actor <c>system</c>).
/// </summary>
public interface IIncidentReporter
{
    /// <exception cref="GovernanceActionException"><see cref="GovernanceActionCodes.UnknownUseCase"/>.</exception>
    /// <exception cref="ArgumentException">The use-case id, reporter or description is blank.</exception>
    ValueTask<IncidentReport> ReportAsync(
        string? auditId, string useCaseId, string reporter, string description, IncidentSeverity severity, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<Incident>> QueryAsync(IncidentQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// Watches each use case's failure rate and suspends it automatically (actor <c>system</c>) when the share of
/// failed calls within <c>Governance:ErrorRate:Window</c> exceeds <c>Governance:ErrorRate:Threshold</c> over at
/// least <c>Governance:ErrorRate:MinimumCalls</c> calls. Counted in memory, per replica.
/// </summary>
public interface IErrorRateMonitor
{
    /// <summary>Records one call that reached a model; <paramref name="failed"/> when no answer came back (vendor error, timeout, every fallback failed).</summary>
    void RecordOutcome(string useCaseId, bool failed);
}

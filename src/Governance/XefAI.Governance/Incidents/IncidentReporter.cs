using Microsoft.Extensions.Logging;

namespace XefAI.Governance;

/// <summary>
/// Stores incident reports in the governance state store and suspends a use case automatically once its
/// incidents reach <c>Governance:Incidents:SuspendAfter</c> within <c>Governance:Incidents:Window</c>.
/// </summary>
/// <remarks>
/// Only incidents since the use case last became active count: the ones before were weighed by whoever
/// resumed it, so a single new report does not suspend it again at once.
/// </remarks>
internal sealed partial class IncidentReporter(
    IUseCaseRegistry registry,
    IUseCaseAdministration administration,
    GovernanceStateCache state,
    LastGoodGovernanceOptions options,
    TimeProvider timeProvider,
    ILogger<IncidentReporter> logger) : IIncidentReporter
{
    public const string SystemActor = "system";

    public async ValueTask<IncidentReport> ReportAsync(
        string? auditId, string useCaseId, string reporter, string description, IncidentSeverity severity, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(useCaseId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reporter);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        if (!Enum.IsDefined(severity))
        {
            throw new ArgumentOutOfRangeException(nameof(severity), severity, "Unknown incident severity.");
        }

        if (!registry.TryGet(useCaseId, out _))
        {
            throw new GovernanceActionException(
                GovernanceActionCodes.UnknownUseCase, $"No use case '{useCaseId}' is configured in Governance:UseCases.");
        }

        var now = timeProvider.GetUtcNow();
        var incident = await state.Store.AppendIncidentAsync(
            new Incident(
                GovernanceIds.New(GovernanceIds.Incident, now),
                string.IsNullOrWhiteSpace(auditId) ? null : auditId.Trim(),
                useCaseId,
                reporter.Trim(),
                description.Trim(),
                severity,
                now),
            cancellationToken);
        LogReported(logger, incident.Id, useCaseId, severity, incident.Reporter);

        return new IncidentReport(incident, await SuspendIfDueAsync(useCaseId, now, cancellationToken));
    }

    public ValueTask<IReadOnlyList<Incident>> QueryAsync(IncidentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return state.Store.QueryIncidentsAsync(query, cancellationToken);
    }

    private async ValueTask<UseCaseStatusChange?> SuspendIfDueAsync(string useCaseId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value.Incidents;
        if (settings.SuspendAfter == 0)
        {
            return null;
        }

        var history = await administration.GetHistoryAsync(useCaseId, cancellationToken);
        var status = history.Count > 0 ? history[^1].To : registry.TryGet(useCaseId, out var useCase) ? useCase.Status : UseCaseStatus.Retired;
        if (status != UseCaseStatus.Active)
        {
            return null;
        }

        var since = now - settings.Window;
        if (history.LastOrDefault(c => c.To == UseCaseStatus.Active) is { } activated && activated.Time > since)
        {
            since = activated.Time;
        }

        var incidents = await state.Store.QueryIncidentsAsync(new IncidentQuery(useCaseId, since, settings.SuspendAfter), cancellationToken);
        if (incidents.Count < settings.SuspendAfter)
        {
            return null;
        }

        var reason = $"Suspended automatically: {incidents.Count} incidents within {DurationText.Format(settings.Window)} " +
            $"({string.Join(", ", incidents.Select(i => i.Id).Reverse())}).";
        try
        {
            return await administration.ApplyAsync(useCaseId, UseCaseAction.Suspend, SystemActor, reason, null, cancellationToken);
        }
        catch (GovernanceActionException ex) when (ex.Code == GovernanceActionCodes.InvalidTransition)
        {
            // Someone suspended or retired it in the meantime: it serves no calls either way.
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Incident {Incident} reported for use case {UseCase} ({Severity}) by {Reporter}.")]
    private static partial void LogReported(ILogger logger, string incident, string useCase, IncidentSeverity severity, string reporter);
}

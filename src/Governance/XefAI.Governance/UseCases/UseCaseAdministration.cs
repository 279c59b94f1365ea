using Microsoft.Extensions.Logging;

namespace XefAI.Governance;

/// <summary>
/// Applies the use-case state machine (<see cref="UseCaseTransitions"/>) and the tier-4 activation rule, and
/// records every change in the governance state store before it takes effect.
/// </summary>
/// <remarks>
/// The status a change starts from is read from the store itself, not from this process's cache, and the
/// append succeeds only if no other change came in between, so two replicas cannot both act on the same status.
/// </remarks>
internal sealed partial class UseCaseAdministration(
    IUseCaseRegistry registry,
    GovernanceStateCache state,
    TimeProvider timeProvider,
    ILogger<UseCaseAdministration> logger) : IUseCaseAdministration
{
    // Each lost race re-reads the status; a handful of rounds can only be exceeded by a runaway writer.
    private const int MaxAttempts = 5;

    public async ValueTask<UseCaseStatusChange> ApplyAsync(
        string useCaseId, UseCaseAction action, string actor, string reason, string? clinicalSponsor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(useCaseId);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (!Enum.IsDefined(action))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown use-case action.");
        }

        for (var attempt = 1; ; attempt++)
        {
            if (!registry.TryGet(useCaseId, out var useCase))
            {
                throw new GovernanceActionException(
                    GovernanceActionCodes.UnknownUseCase, $"No use case '{useCaseId}' is configured in Governance:UseCases.");
            }

            var history = await state.Store.GetUseCaseHistoryAsync(useCaseId, cancellationToken);
            var latest = history.Count > 0 ? history[^1] : null;

            // Without a recorded change the status is the configured one, which the registry shows.
            var from = latest?.To ?? useCase.Status;
            var to = UseCaseTransitions.Apply(from, action)
                ?? ApplyLateSponsorApproval(useCase, from, action, clinicalSponsor, history)
                ?? throw new GovernanceActionException(GovernanceActionCodes.InvalidTransition, UseCaseTransitions.Explain(useCaseId, from, action));

            if (to == UseCaseStatus.Active && useCase.Tier == RiskTier.ClinicalDecisionSupport)
            {
                EnsureMayServeClinicalDecisionSupport(useCase, history);
            }

            var now = timeProvider.GetUtcNow();
            var change = new UseCaseStatusChange(
                GovernanceIds.New(GovernanceIds.UseCaseChange, now),
                useCaseId,
                action,
                from,
                to,
                actor.Trim(),
                reason.Trim(),
                now,
                string.IsNullOrWhiteSpace(clinicalSponsor) ? null : clinicalSponsor.Trim())
            {
                // What the call-time check of a tier-4 use case asks of the change that made it active.
                RiskTier = useCase.Tier,
            };
            if (await state.Store.TryAppendUseCaseChangeAsync(change, latest?.Id, cancellationToken) is { } stored)
            {
                state.Observe(stored);
                LogChanged(logger, useCaseId, UseCaseTransitions.Name(from), UseCaseTransitions.Name(to), stored.Actor, stored.Id);
                return stored;
            }

            if (attempt == MaxAttempts)
            {
                throw new InvalidOperationException(
                    $"Use case '{useCaseId}' kept changing while '{UseCaseTransitions.Name(action)}' was applied; try again.");
            }
        }
    }

    public ValueTask<IReadOnlyList<UseCaseStatusChange>> GetHistoryAsync(string useCaseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(useCaseId);
        return state.Store.GetUseCaseHistoryAsync(useCaseId, cancellationToken);
    }

    /// <summary>
    /// Approving a tier-4 use case that is already approved or suspended. Configuration can say it is, and an approval
    /// can name someone other than the configured sponsor, yet activate and resume ask for the configured sponsor's
    /// approval on record, which approve, allowed only from proposed, could then never add: the use case was stuck.
    /// </summary>
    /// <remarks>
    /// Allowed only to record that missing approval, so a use case whose sponsor's approval is on record keeps the
    /// plain state machine. It leads to approved like any approval (a suspended one then needs activate, which checks
    /// the card and the approval again); a start-up refusal of such a configuration would instead stop replicas whose
    /// configured status no longer applies because the store holds the use case's history.
    /// </remarks>
    private static UseCaseStatus? ApplyLateSponsorApproval(
        UseCase useCase, UseCaseStatus from, UseCaseAction action, string? clinicalSponsor, IReadOnlyList<UseCaseStatusChange> history)
    {
        if (action != UseCaseAction.Approve
            || useCase.Tier != RiskTier.ClinicalDecisionSupport
            || from is not (UseCaseStatus.Approved or UseCaseStatus.Suspended))
        {
            return null;
        }

        var refused = $"Use case '{useCase.Id}' cannot go from {UseCaseTransitions.Name(from)} to approved (approve): ";
        if (string.IsNullOrWhiteSpace(useCase.ClinicalSponsor))
        {
            throw new GovernanceActionException(
                GovernanceActionCodes.InvalidTransition,
                refused + $"a tier-4 use case that is {UseCaseTransitions.Name(from)} can be approved only by its clinical sponsor, and none is configured " +
                $"(Governance:UseCases:{useCase.Id}:ClinicalSponsor).");
        }

        var sponsor = useCase.ClinicalSponsor.Trim();
        if (HasSponsorApproval(history, sponsor))
        {
            var next = from == UseCaseStatus.Suspended ? "resume it" : "activate it";
            throw new GovernanceActionException(
                GovernanceActionCodes.InvalidTransition,
                refused + $"its clinical sponsor, {sponsor}, has already approved it; {next}.");
        }

        if (!string.Equals(clinicalSponsor?.Trim(), sponsor, StringComparison.OrdinalIgnoreCase))
        {
            throw new GovernanceActionException(
                GovernanceActionCodes.InvalidTransition,
                refused + $"a tier-4 use case that is {UseCaseTransitions.Name(from)} can be approved only to record its clinical sponsor's approval; " +
                $"name {sponsor} as clinicalSponsor.");
        }

        return UseCaseStatus.Approved;
    }

    private static bool HasSponsorApproval(IReadOnlyList<UseCaseStatusChange> history, string sponsor) =>
        history.Any(c => c.Action == UseCaseAction.Approve && string.Equals(c.ClinicalSponsor, sponsor, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// DESIGN.md's tier-4 rule: only with a complete model card and the approval of the clinical sponsor the
    /// use case is configured with. Checked on every way into active, resuming included.
    /// </summary>
    private static void EnsureMayServeClinicalDecisionSupport(UseCase useCase, IReadOnlyList<UseCaseStatusChange> history)
    {
        var tier = RiskTierNames.Describe(useCase.Tier);
        var missing = (useCase.ModelCard ?? new ModelCard()).MissingAttributes;
        if (missing.Count > 0)
        {
            throw new GovernanceActionException(
                GovernanceActionCodes.ModelCardIncomplete,
                $"Use case '{useCase.Id}' is {tier} and cannot become active until its model card is complete: " +
                $"{missing.Count} attributes have neither a value nor a NotSupplied reason: {string.Join(", ", missing)}.")
            {
                MissingAttributes = missing,
            };
        }

        if (string.IsNullOrWhiteSpace(useCase.ClinicalSponsor))
        {
            throw new GovernanceActionException(
                GovernanceActionCodes.SponsorApprovalMissing,
                $"Use case '{useCase.Id}' is {tier} and has no clinical sponsor (Governance:UseCases:{useCase.Id}:ClinicalSponsor); " +
                "it cannot become active until its sponsor has approved it.");
        }

        var sponsor = useCase.ClinicalSponsor.Trim();
        if (!HasSponsorApproval(history, sponsor))
        {
            throw new GovernanceActionException(
                GovernanceActionCodes.SponsorApprovalMissing,
                $"Use case '{useCase.Id}' is {tier} and cannot become active until its clinical sponsor, {sponsor}, has approved it; " +
                "no recorded approval names them.");
        }
    }

    // The reason is free text that may name a patient: it stays in the state store and the audit trail, never in logs.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Use case {UseCase} went from {From} to {To} by {Actor} (change {Change}).")]
    private static partial void LogChanged(ILogger logger, string useCase, string from, string to, string actor, string change);
}

namespace XefAI.Governance;

/// <summary>
/// Whether an active tier-4 use case may be served under the configuration in force: DESIGN.md's tier-4 rule, which
/// <see cref="UseCaseAdministration"/> checks on the way into active, must still hold after configuration changed.
/// </summary>
/// <remarks>
/// The status lives in the state store and the tier, model card and sponsor in configuration, so an edit can make an
/// active use case tier 4, empty its model card or name a sponsor who never approved it, without anyone activating it
/// again. The registry applies this once per configuration snapshot and state change; the call-time policy then only
/// reads <see cref="UseCase.ActivationRefusal"/>.
/// </remarks>
internal static class ClinicalDecisionSupportActivation
{
    /// <summary>The policy denial's reason code.</summary>
    public const string ReasonCode = "tier4_activation_required";

    /// <param name="useCase">The use case as configured, with its status from the state store.</param>
    /// <param name="latest">The latest recorded change of the use case; for an active one, the activate or resume that made it so.</param>
    /// <param name="state">The state the status was read from, for the sponsors' approvals on record.</param>
    /// <returns>Why the use case is not served and how to serve it again, or null when it may be served.</returns>
    public static string? Refusal(UseCase useCase, UseCaseStatusChange? latest, GovernanceStateView state)
    {
        ArgumentNullException.ThrowIfNull(useCase);
        ArgumentNullException.ThrowIfNull(state);
        if (useCase.Tier != RiskTier.ClinicalDecisionSupport || useCase.Status != UseCaseStatus.Active)
        {
            return null;
        }

        var problems = new List<string>(3);
        var remedies = new List<string>(3);
        var activatedAtTier4 = latest is { To: UseCaseStatus.Active, RiskTier: RiskTier.ClinicalDecisionSupport };
        if (!activatedAtTier4)
        {
            problems.Add(latest switch
            {
                // Configuration cannot say active for tier 4 (GovernanceOptionsValidator); failing closed all the same.
                null or { To: not UseCaseStatus.Active } => "no activation of it is on record",
                { RiskTier: null } => $"it was made active ({UseCaseTransitions.Name(latest.Action)}) before the gateway recorded risk tiers, so it is not known to have passed the tier-4 checks",
                { RiskTier: { } tier } => $"it was made active ({UseCaseTransitions.Name(latest.Action)}) while it was tier {(int)tier}, without the tier-4 checks",
            });
        }

        var missing = useCase.ModelCard?.MissingAttributes.Count ?? -1;
        if (missing != 0)
        {
            problems.Add(missing < 0 ? "it has no model card" : $"its model card misses {missing} attributes");
            remedies.Add($"complete its model card (Governance:UseCases:{useCase.Id}:ModelCard; GET /v1/use-cases/{useCase.Id}/model-card lists what is missing)");
        }

        var hasApproval = false;
        if (string.IsNullOrWhiteSpace(useCase.ClinicalSponsor))
        {
            problems.Add("it has no clinical sponsor configured");
            remedies.Add($"configure its clinical sponsor (Governance:UseCases:{useCase.Id}:ClinicalSponsor)");
        }
        else if (!(hasApproval = state.HasSponsorApproval(useCase.Id, useCase.ClinicalSponsor)))
        {
            problems.Add("its configured clinical sponsor has no recorded approval of it");
        }

        if (problems.Count == 0)
        {
            return null;
        }

        // The state machine's own way back: approve is open from suspended for a sponsor's missing approval, and
        // activate and resume run the tier-4 checks and record the tier.
        var admin = $"POST /admin/use-cases/{useCase.Id}/";
        if (!hasApproval)
        {
            remedies.Add($"suspend it ({admin}suspend), have its clinical sponsor approve it ({admin}approve, naming them as clinicalSponsor) and activate it again ({admin}activate)");
        }
        else if (!activatedAtTier4)
        {
            remedies.Add($"suspend it ({admin}suspend) and resume it ({admin}resume), which runs the tier-4 checks");
        }

        return $"Use case '{useCase.Id}' is tier 4 (clinical decision support) and is not served: {string.Join("; ", problems)}. " +
            $"To serve it again, {string.Join(", then ", remedies)}.";
    }
}

namespace XefAI.Governance;

/// <summary>
/// Serves only active use cases, and an active tier-4 one only while its activation holds for the configuration in
/// force (<see cref="UseCase.ActivationRefusal"/>); suspending a use case in configuration is the kill switch.
/// </summary>
/// <remarks>
/// A call-stage policy. The engine runs every policy once for the call (no deployment) and once per
/// candidate deployment; a rule about the call answers only the first, so a suspended use case is reported
/// once rather than once per deployment, and a rule about a deployment answers only the others.
/// </remarks>
internal sealed class UseCaseStatusPolicy : IPolicy
{
    public string Name => "use-case-status";

    public PolicyDenial? Evaluate(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Deployment is not null)
        {
            return null;
        }

        var useCase = context.UseCase;

        return useCase.Status switch
        {
            UseCaseStatus.Active when useCase.ActivationRefusal is { } refusal => new PolicyDenial(ClinicalDecisionSupportActivation.ReasonCode, refusal),
            UseCaseStatus.Active => null,
            UseCaseStatus.Suspended => new PolicyDenial(
                "use_case_suspended",
                $"Use case '{useCase.Id}' is suspended: {Reason(useCase)}."),
            UseCaseStatus.Retired => new PolicyDenial(
                "use_case_retired",
                $"Use case '{useCase.Id}' is retired: {Reason(useCase)}."),
            UseCaseStatus.Proposed or UseCaseStatus.Approved => new PolicyDenial(
                "use_case_not_active",
                $"Use case '{useCase.Id}' is {useCase.Status.ToString().ToLowerInvariant()} but not yet active."),

            // Fail closed on a status this policy does not know.
            _ => new PolicyDenial("use_case_not_active", $"Use case '{useCase.Id}' is not active."),
        };
    }

    private static string Reason(UseCase useCase) =>
        string.IsNullOrWhiteSpace(useCase.StatusReason) ? "no reason recorded" : useCase.StatusReason.Trim().TrimEnd('.');
}

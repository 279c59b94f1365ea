namespace XefAI.Governance;

/// <summary>The use-case state machine: proposed → approved → active ⇄ suspended, and any status but retired → retired.</summary>
/// <remarks>
/// <see cref="UseCaseAdministration"/> adds one tier-4 exception that needs the use case's history: approve from
/// approved or suspended, to record a clinical sponsor's approval that is not yet on record.
/// </remarks>
internal static class UseCaseTransitions
{
    /// <summary>The status an action leads to, whatever the status it starts from.</summary>
    public static UseCaseStatus TargetOf(UseCaseAction action) => action switch
    {
        UseCaseAction.Approve => UseCaseStatus.Approved,
        UseCaseAction.Activate => UseCaseStatus.Active,
        UseCaseAction.Suspend => UseCaseStatus.Suspended,
        UseCaseAction.Resume => UseCaseStatus.Active,
        UseCaseAction.Retire => UseCaseStatus.Retired,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown use-case action."),
    };

    /// <summary>The status the action leads to from <paramref name="from"/>, or null when it does not apply there.</summary>
    public static UseCaseStatus? Apply(UseCaseStatus from, UseCaseAction action) => (from, action) switch
    {
        (UseCaseStatus.Proposed, UseCaseAction.Approve) => UseCaseStatus.Approved,
        (UseCaseStatus.Approved, UseCaseAction.Activate) => UseCaseStatus.Active,
        (UseCaseStatus.Active, UseCaseAction.Suspend) => UseCaseStatus.Suspended,
        (UseCaseStatus.Suspended, UseCaseAction.Resume) => UseCaseStatus.Active,
        (not UseCaseStatus.Retired, UseCaseAction.Retire) => UseCaseStatus.Retired,
        _ => null,
    };

    /// <summary>Why the action does not apply: names the action's from and to statuses.</summary>
    public static string Explain(string useCaseId, UseCaseStatus from, UseCaseAction action)
    {
        var to = Name(TargetOf(action));
        var rule = action switch
        {
            _ when from == UseCaseStatus.Retired => "retired is final",
            UseCaseAction.Approve => "only a proposed use case can be approved",
            UseCaseAction.Activate => "only an approved use case can be activated; a suspended one is resumed",
            UseCaseAction.Suspend => "only an active use case can be suspended",
            UseCaseAction.Resume => "only a suspended use case can be resumed",
            _ => "the action does not apply",
        };
        return $"Use case '{useCaseId}' cannot go from {Name(from)} to {to} ({Name(action)}): {rule}.";
    }

    public static string Name(UseCaseStatus status) => status.ToString().ToLowerInvariant();

    public static string Name(UseCaseAction action) => action.ToString().ToLowerInvariant();
}

using System.Text.Json.Serialization;

namespace XefAI.Governance;

/// <summary>What a governance committee (or the gateway itself, as actor <c>system</c>) can do to a use case.</summary>
public enum UseCaseAction
{
    /// <summary>proposed → approved; for a tier-4 use case, recorded with its clinical sponsor.</summary>
    Approve,

    /// <summary>approved → active.</summary>
    Activate,

    /// <summary>active → suspended: the kill switch.</summary>
    Suspend,

    /// <summary>suspended → active.</summary>
    Resume,

    /// <summary>any status but retired → retired, which is final.</summary>
    Retire,
}

/// <summary>One recorded change of a use case's status. The history is append-only; the latest change is the status.</summary>
/// <param name="Id">Change id, <c>ucs_</c> and a time-ordered GUID.</param>
/// <param name="ClinicalSponsor">The sponsor an approval was given by, when one was named.</param>
public sealed record UseCaseStatusChange(
    string Id,
    string UseCaseId,
    UseCaseAction Action,
    UseCaseStatus From,
    UseCaseStatus To,
    string Actor,
    string Reason,
    DateTimeOffset Time,
    string? ClinicalSponsor = null)
{
    /// <summary>Position in the state store's history of use-case changes; 0 until stored.</summary>
    public long Sequence { get; init; }

    /// <summary>
    /// The risk tier the use case was configured with when the change was made; null on changes recorded before the
    /// gateway kept it. An active tier-4 use case is served only if the activate or resume that made it active was
    /// recorded at tier 4, so it went through the tier-4 checks. Written as a number, like a use case's <c>riskTier</c>.
    /// </summary>
    [JsonConverter(typeof(JsonNumberEnumConverter<RiskTier>))]
    public RiskTier? RiskTier { get; init; }
}

/// <summary>
/// Changes use cases' status: approve, activate, suspend (kill switch), resume, retire. Every change is persisted
/// in the governance state store before it is returned, takes effect in this process at once and in other
/// replicas sharing the store within <c>Governance:StatePollInterval</c>. A persisted status overrides the one
/// in configuration.
/// </summary>
public interface IUseCaseAdministration
{
    /// <param name="actor">Who acts (an admin's name, or <c>system</c>); required.</param>
    /// <param name="reason">Why; required, and shown to callers refused while the use case is suspended or retired.</param>
    /// <param name="clinicalSponsor">For <see cref="UseCaseAction.Approve"/>: the clinical sponsor approving; a tier-4 use case can only become active once its configured sponsor has approved it.</param>
    /// <exception cref="GovernanceActionException">
    /// <see cref="GovernanceActionCodes.UnknownUseCase"/>, <see cref="GovernanceActionCodes.InvalidTransition"/>,
    /// <see cref="GovernanceActionCodes.ModelCardIncomplete"/> or <see cref="GovernanceActionCodes.SponsorApprovalMissing"/>.
    /// </exception>
    /// <exception cref="ArgumentException">The use-case id, actor or reason is blank.</exception>
    ValueTask<UseCaseStatusChange> ApplyAsync(
        string useCaseId, UseCaseAction action, string actor, string reason, string? clinicalSponsor, CancellationToken cancellationToken);

    /// <summary>Every recorded change of the use case, oldest first; empty when its status is still the configured one.</summary>
    ValueTask<IReadOnlyList<UseCaseStatusChange>> GetHistoryAsync(string useCaseId, CancellationToken cancellationToken);
}

/// <summary>The codes of <see cref="GovernanceActionException"/>, each a stable string the host maps to an HTTP status.</summary>
public static class GovernanceActionCodes
{
    /// <summary>No use case with that id is configured (404).</summary>
    public const string UnknownUseCase = "unknown_use_case";

    /// <summary>The action does not apply to the current status, e.g. resuming an active use case; the message names both statuses (409).</summary>
    public const string InvalidTransition = "invalid_transition";

    /// <summary>A tier-4 use case cannot become active while model-card attributes are missing; they are listed (422).</summary>
    public const string ModelCardIncomplete = "model_card_incomplete";

    /// <summary>A tier-4 use case cannot become active before its configured clinical sponsor has approved it (422).</summary>
    public const string SponsorApprovalMissing = "sponsor_approval_missing";
}

/// <summary>A governance action refused; <see cref="Code"/> is one of <see cref="GovernanceActionCodes"/>.</summary>
public sealed class GovernanceActionException : Exception
{
    public GovernanceActionException()
        : this(GovernanceActionCodes.InvalidTransition, "The governance action cannot be taken.")
    {
    }

    public GovernanceActionException(string message)
        : this(GovernanceActionCodes.InvalidTransition, message)
    {
    }

    public GovernanceActionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = GovernanceActionCodes.InvalidTransition;
    }

    public GovernanceActionException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public string Code { get; }

    /// <summary>For <see cref="GovernanceActionCodes.ModelCardIncomplete"/>: the missing attributes' paths under the model card.</summary>
    public IReadOnlyList<string> MissingAttributes { get; init; } = [];
}

/// <summary>
/// The governance state (use-case statuses, deployment suspensions, approvals) could not be read, so no call can be
/// governed: the call is refused, never served against a guessed state. The store's own error is the inner exception.
/// </summary>
public sealed class GovernanceStateUnavailableException : Exception
{
    public GovernanceStateUnavailableException()
    {
    }

    public GovernanceStateUnavailableException(string message)
        : base(message)
    {
    }

    public GovernanceStateUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

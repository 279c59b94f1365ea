using XefAI.Gateway.Admin;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Reviews;

/// <summary>
/// The kill switch reaches answers held for review: while a use case is not active (suspended, retired), a reviewer
/// cannot approve or edit its held answers, and one approved before the switch is not released to the app until the use
/// case is active again. A rejection stays possible: it releases nothing.
/// </summary>
internal static class HeldAnswerRelease
{
    /// <summary>
    /// Why an answer of <paramref name="useCaseId"/> may not be released now, as the refusal a new call would get
    /// (403), or null when it may. The state is brought up to the store's first, so a switch pulled (or a use case
    /// activated) on another replica a moment ago counts here at once, not at this replica's next poll. A use case the
    /// configuration no longer has is not active either. Fails closed: a state store that cannot be read is a 503.
    /// </summary>
    public static async ValueTask<CallError?> RefusalAsync(HttpContext context, string useCaseId)
    {
        var services = context.RequestServices;
        UseCase? useCase;
        try
        {
            await services.GetRequiredService<IGovernanceStateSync>().RefreshAsync(context.RequestAborted);
            if (!services.GetRequiredService<IUseCaseRegistry>().TryGet(useCaseId, out useCase))
            {
                return CallError.Forbidden("use_case_not_active", $"Use case '{useCaseId}' is no longer configured; its held answers are not released.");
            }
        }
        catch (Exception ex) when (StoreRefusals.IsStoreFailure(ex))
        {
            return CallError.Unavailable(
                StoreRefusals.GovernanceStateCode,
                "The governance state store could not be read, so whether the use case may release answers is unknown. Retry later.")
                with { RetryAfter = TimeSpan.FromSeconds(1) };
        }

        var reason = string.IsNullOrWhiteSpace(useCase.StatusReason) ? "no reason recorded" : useCase.StatusReason.Trim().TrimEnd('.');
        return useCase.Status switch
        {
            UseCaseStatus.Active => null,
            UseCaseStatus.Suspended => CallError.Forbidden(
                "use_case_suspended", $"Use case '{useCaseId}' is suspended: {reason}. Its held answers are not released while it is."),
            UseCaseStatus.Retired => CallError.Forbidden(
                "use_case_retired", $"Use case '{useCaseId}' is retired: {reason}. Its held answers are not released."),
            _ => CallError.Forbidden(
                "use_case_not_active", $"Use case '{useCaseId}' is not active; its held answers are not released."),
        };
    }
}

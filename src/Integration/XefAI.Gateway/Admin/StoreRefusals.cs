using System.Data.Common;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Admin;

/// <summary>
/// What a caller is told when the governance state store or the review queue fails: "did not answer in time" only for
/// a timeout, otherwise a neutral account of what did not happen. Never the exception's text, a path, SQL or a value:
/// the cause is for the log.
/// </summary>
internal static class StoreRefusals
{
    public const string GovernanceStateCode = "governance_state_unavailable";

    public const string ReviewQueueCode = "review_queue_unavailable";

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether a failure is a store's own, or wraps one: a driver's, a file's or a store's refusal, whose message can name
    /// a file path (a moved database), a server or SQL. Its log line gives its type, never its message.
    /// </summary>
    public static bool IsStoreFailure(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        for (var cause = failure; cause is not null; cause = cause.InnerException)
        {
            if (cause is DbException or AuditUnavailableException or GovernanceStateUnavailableException
                or IOException or InvalidDataException or UnauthorizedAccessException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The exception a log line may carry: none for a store's failure (<see cref="IsStoreFailure"/>; the line names its
    /// type instead), while any other fault, a bug, keeps its stack trace.
    /// </summary>
    public static Exception? Loggable(Exception failure) => IsStoreFailure(failure) ? null : failure;

    /// <summary>A read of the governance state store (a use case's history, the incidents) failed.</summary>
    public static string GovernanceStateRead(Exception failure) => StoreFailures.IsTimeout(failure)
        ? "The governance state store did not answer in time. Retry later."
        : "The governance state store could not be read. Retry later.";

    /// <summary>Reporting an incident failed: the incident may have been stored before the suspension it may call for failed.</summary>
    public static string IncidentReport(Exception failure) => StoreFailures.IsTimeout(failure)
        ? "The governance state store did not answer in time; the incident may not be recorded. Check /admin/incidents before reporting it again."
        : "The governance state store failed while recording the incident; it may not be recorded. Check /admin/incidents before reporting it again.";

    /// <summary>A read of the review queue (a list, a poll, a held card) failed.</summary>
    public static CallError ReviewQueueRead(Exception failure) => CallError.Unavailable(
        ReviewQueueCode,
        StoreFailures.IsTimeout(failure)
            ? "The review queue did not answer in time; nothing was read. Retry later."
            : "The review queue could not be read. Retry later.")
        with { RetryAfter = RetryAfter };

    /// <summary>A decision failed: it is one conditional UPDATE, which did not commit.</summary>
    public static CallError ReviewQueueDecision(Exception failure) => CallError.Unavailable(
        ReviewQueueCode,
        StoreFailures.IsTimeout(failure)
            ? "The review queue did not answer in time; nothing was decided. Retry later."
            : "The review queue could not record the decision; nothing was decided. Retry later.")
        with { RetryAfter = RetryAfter };
}

namespace XefAI.Governance;

/// <summary>
/// The human review queue: answers of use cases whose tier holds output for review wait here until a
/// clinician approves, edits or rejects them. Only approved (or edited) answers are ever released.
/// </summary>
public interface IReviewQueue
{
    ValueTask<ReviewItem> EnqueueAsync(ReviewRequest request, CancellationToken cancellationToken);

    ValueTask<ReviewItem?> GetAsync(string id, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<ReviewItem>> ListAsync(ReviewStatus? status, int limit, CancellationToken cancellationToken);

    /// <summary>The review of the call with this audit id, if its answer was held.</summary>
    ValueTask<ReviewItem?> FindByAuditIdAsync(string auditId, CancellationToken cancellationToken);

    /// <exception cref="ReviewDecisionException">Unknown review, or one already decided.</exception>
    ValueTask<ReviewItem> DecideAsync(string id, ReviewDecision decision, CancellationToken cancellationToken);
}

/// <summary>An answer held for review.</summary>
/// <param name="AuditId">The audit record of the call that produced it.</param>
/// <param name="Answer">The answer as it would have been returned (OpenAI chat.completion JSON).</param>
public sealed record ReviewRequest(string AuditId, string TraceId, string UseCaseId, string AppId, int RiskTier, string Answer);

public enum ReviewStatus
{
    Pending,
    Approved,
    Edited,
    Rejected,
}

/// <summary>A reviewer's decision. <paramref name="EditedContent"/> replaces the answer's text when editing.</summary>
public sealed record ReviewDecision(ReviewStatus Outcome, string Reviewer, string? Comment, string? EditedContent);

/// <summary>A review and, once decided, its outcome.</summary>
public sealed record ReviewItem(
    string Id,
    string AuditId,
    string TraceId,
    string UseCaseId,
    string AppId,
    int RiskTier,
    DateTimeOffset CreatedAt,
    ReviewStatus Status,
    string Answer,
    string? Reviewer = null,
    DateTimeOffset? DecidedAt = null,
    string? Comment = null,
    string? ReleasedAnswer = null);

/// <summary>A review decision that cannot be taken; <see cref="Code"/> is <c>unknown_review</c> or <c>review_already_decided</c>.</summary>
public sealed class ReviewDecisionException : Exception
{
    public ReviewDecisionException()
    {
        Code = "review_error";
    }

    public ReviewDecisionException(string message)
        : base(message)
    {
        Code = "review_error";
    }

    public ReviewDecisionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "review_error";
    }

    public ReviewDecisionException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public string Code { get; }
}

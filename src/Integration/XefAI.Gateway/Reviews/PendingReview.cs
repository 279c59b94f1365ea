using System.Text.Json;
using XefAI.Integration;

namespace XefAI.Gateway.Reviews;

/// <summary>
/// The 202 of a call whose answer is held for clinician review, the same for every way in that has no review shape
/// of its own: the review to poll, where to poll it, and when to try.
/// </summary>
internal static class PendingReview
{
    public static RenderedResponse Render(HeldCall held, string contentType = "application/json; charset=utf-8") => new(
        StatusCodes.Status202Accepted,
        contentType,
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = held.ReviewId,
            @object = "review",
            status = "pending",
            audit_id = held.AuditId,
            message = "The answer is held until a clinician reviews it; poll the review.",
        }),
        new Dictionary<string, string> { ["Location"] = $"/v1/reviews/{held.ReviewId}", ["Retry-After"] = "10" });
}

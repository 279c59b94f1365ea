using XefAI.Governance;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Review: the tier decides how a clinician sees the answer. Held answers are committed as <c>held</c> and wait in the
/// review queue; drafts are released, marked as needing sign-off; others are released as they are.
/// </summary>
internal sealed class ReviewStep : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        var answered = call.Answer is not null || call.Embeddings is not null || call.Stream is not null;
        call.Outcome = answered && call.Review == ReviewRequirement.Hold ? CallOutcomes.Held : CallOutcomes.Answered;
        return ValueTask.CompletedTask;
    }
}

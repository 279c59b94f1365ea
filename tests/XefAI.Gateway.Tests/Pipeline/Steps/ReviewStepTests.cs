using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class ReviewStepTests
{
    [Theory]
    [InlineData(ReviewRequirement.Hold, CallOutcomes.Held)]
    [InlineData(ReviewRequirement.Draft, CallOutcomes.Answered)]
    [InlineData(ReviewRequirement.None, CallOutcomes.Answered)]
    public async Task Execute_BufferedAnswer_TheTiersReviewDecidesTheOutcome(string review, string outcome)
    {
        await using var call = CallContexts.Answered(obligations: new PolicyObligations { Review = review });

        await new ReviewStep().ExecuteAsync(call);

        Assert.Equal(outcome, call.Outcome);
    }

    [Fact]
    public async Task Execute_VectorsOfAHeldTier_AreHeld()
    {
        await using var call = CallContexts.Governed(obligations: new PolicyObligations { Review = ReviewRequirement.Hold });
        call.Embeddings = new EmbeddingResponse([[0.1f]], "test-model", null);

        await new ReviewStep().ExecuteAsync(call);

        Assert.Equal(CallOutcomes.Held, call.Outcome);
    }
}

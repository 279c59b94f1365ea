using System.Globalization;

namespace XefAI.Governance;

/// <summary>Refuses a call that asks for more output tokens than its risk tier allows (<c>MaxTokens</c>; 4096 for tier 4 by default).</summary>
/// <remarks>
/// A call-stage policy. A call that names no limit is not refused: the decision's
/// <see cref="PolicyObligations.MaxTokens"/> tells the host to cap it.
/// </remarks>
internal sealed class MaxTokensPolicy(RiskTierControlsSource tiers) : IPolicy
{
    public string Name => "max-tokens";

    public PolicyDenial? Evaluate(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Deployment is not null || context.RequestedMaxTokens is not { } requested)
        {
            return null;
        }

        var tier = context.UseCase.Tier;
        if (tiers.For(context.UseCase).MaxTokens is not { } limit || requested <= limit)
        {
            return null;
        }

        return new PolicyDenial(
            "max_tokens_exceeded",
            string.Create(
                CultureInfo.InvariantCulture,
                $"The request asks for up to {requested} output tokens; use case '{context.UseCase.Id}' is {RiskTierNames.Describe(tier)} and allows at most {limit}. Set max_tokens to {limit} or less."));
    }
}

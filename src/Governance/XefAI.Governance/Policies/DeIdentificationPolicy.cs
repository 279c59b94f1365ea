namespace XefAI.Governance;

/// <summary>
/// Fails closed on de-identification: where the use case's risk tier obliges PHI to be de-identified before a
/// vendor without a BAA sees it (<c>DeIdentifyUnlessBaa</c>), such a deployment may serve the call only if the
/// gateway can de-identify. PHI never reaches an uncovered vendor as it is, unless the use case opted out of
/// de-identification explicitly (<see cref="UseCase.DeIdentificationOptOut"/>).
/// </summary>
/// <remarks>A deployment-stage policy: it judges each candidate deployment and has nothing to say about the call as a whole.</remarks>
internal sealed class DeIdentificationPolicy(RiskTierControlsSource tiers) : IPolicy
{
    public string Name => "deidentification";

    public PolicyDenial? Evaluate(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Deployment is not { } deployment || deployment.CoversPhi || context.CanDeIdentify
            || context.UseCase.DeIdentificationOptOut is not null)
        {
            return null;
        }

        // Where the tier requires a BAA outright, de-identification cannot make an uncovered vendor acceptable:
        // the BAA policy gives the one reason that matters.
        var tier = context.UseCase.Tier;
        var controls = tiers.For(context.UseCase);
        if (!controls.DeIdentifyUnlessBaa || controls.RequireBaa)
        {
            return null;
        }

        return new PolicyDenial(
            "deidentification_unavailable",
            $"Tier {(int)tier} requires PHI to be de-identified before it reaches '{deployment.Id}', which has no BAA, and this gateway cannot de-identify yet; route the use case to a BAA-covered or in-process deployment.");
    }
}

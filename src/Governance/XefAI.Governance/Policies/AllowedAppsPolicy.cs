namespace XefAI.Governance;

/// <summary>Lets only the apps a use case lists in <c>AllowedApps</c> call it; an empty list leaves it to the apps' API key grants.</summary>
/// <remarks>A call-stage policy.</remarks>
internal sealed class AllowedAppsPolicy : IPolicy
{
    public string Name => "allowed-apps";

    public PolicyDenial? Evaluate(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var useCase = context.UseCase;
        if (context.Deployment is not null || useCase.AllowedApps.Count == 0 || useCase.AllowedApps.Contains(context.AppId, StringComparer.Ordinal))
        {
            return null;
        }

        return new PolicyDenial(
            "app_not_allowed",
            $"App '{context.AppId}' is not among the apps use case '{useCase.Id}' allows; ask its owner ({useCase.Owner}) to add it.");
    }
}

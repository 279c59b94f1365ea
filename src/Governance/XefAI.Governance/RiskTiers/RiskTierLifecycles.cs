namespace XefAI.Governance;

/// <summary>Which deployment lifecycles each risk tier accepts: configuration over the defaults of DESIGN.md.</summary>
internal sealed class RiskTierLifecycles
{
    private const DeploymentLifecycles ValidatedOrLater =
        DeploymentLifecycles.Validated | DeploymentLifecycles.Active | DeploymentLifecycles.Deprecated;

    // Index = tier; 0 is unused. The higher the tier, the more proven a model must be.
    private static readonly DeploymentLifecycles[] Defaults =
    [
        DeploymentLifecycles.None,
        ValidatedOrLater,
        ValidatedOrLater,
        DeploymentLifecycles.Active | DeploymentLifecycles.Deprecated,
        DeploymentLifecycles.Active,
    ];

    private readonly DeploymentLifecycles[] _allowed;
    private readonly string[] _allowedNames;
    private readonly IReadOnlyList<string>[] _allowedNameLists;

    private RiskTierLifecycles(DeploymentLifecycles[] allowed)
    {
        _allowed = allowed;
        _allowedNames = [.. allowed.Select(DeploymentLifecycleNames.Format)];
        _allowedNameLists = [.. allowed.Select(DeploymentLifecycleNames.List)];
    }

    /// <summary>Builds the table from options that passed <see cref="GovernanceOptionsValidator"/>.</summary>
    public static RiskTierLifecycles From(GovernanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DeploymentLifecycles[] allowed = [.. Defaults];
        foreach (var (key, tier) in options.RiskTiers)
        {
            if (!TryParseTier(key, out var number) || tier?.AllowedLifecycles is not { } names)
            {
                continue;
            }

            var set = DeploymentLifecycles.None;
            foreach (var name in names)
            {
                if (DeploymentLifecycleNames.TryParse(name, out var lifecycle))
                {
                    set |= lifecycle;
                }
            }

            // Validation refuses it; repeated here because serving a retired model is the one thing that must never happen.
            allowed[number] = set & ~DeploymentLifecycles.Retired;
        }

        return new RiskTierLifecycles(allowed);
    }

    /// <summary>Tier keys are exactly "1" to "4".</summary>
    public static bool TryParseTier(string key, out int tier)
    {
        tier = key switch
        {
            "1" => 1,
            "2" => 2,
            "3" => 3,
            "4" => 4,
            _ => 0,
        };
        return tier != 0;
    }

    /// <summary>The lifecycles a tier accepts; none for a tier outside 1 to 4.</summary>
    public DeploymentLifecycles Allowed(RiskTier tier) =>
        (int)tier is >= 1 and <= 4 ? _allowed[(int)tier] : DeploymentLifecycles.None;

    /// <summary>The accepted lifecycles one name each, in lifecycle order; none for a tier outside 1 to 4.</summary>
    public IReadOnlyList<string> AllowedNameList(RiskTier tier) =>
        (int)tier is >= 1 and <= 4 ? _allowedNameLists[(int)tier] : [];

    /// <summary>The accepted lifecycles as a message lists them: "active, deprecated".</summary>
    public string AllowedNames(RiskTier tier) =>
        (int)tier is >= 1 and <= 4 ? _allowedNames[(int)tier] : string.Empty;
}

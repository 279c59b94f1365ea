namespace XefAI.Governance;

/// <summary>Lifecycle states of a model deployment (<see cref="DeploymentFacts.Lifecycle"/>), as a set.</summary>
[Flags]
internal enum DeploymentLifecycles
{
    None = 0,
    Candidate = 1,
    Validated = 2,
    Active = 4,
    Deprecated = 8,
    Retired = 16,
}

/// <summary>The names of <see cref="DeploymentLifecycles"/> as configuration and the Models layer write them.</summary>
internal static class DeploymentLifecycleNames
{
    /// <summary>The lifecycles a tier may allow, for error messages.</summary>
    public const string Allowable = "candidate, validated, active, deprecated";

    // In lifecycle order, which is also the order messages list them in.
    private static readonly (DeploymentLifecycles Lifecycle, string Name)[] All =
    [
        (DeploymentLifecycles.Candidate, "candidate"),
        (DeploymentLifecycles.Validated, "validated"),
        (DeploymentLifecycles.Active, "active"),
        (DeploymentLifecycles.Deprecated, "deprecated"),
        (DeploymentLifecycles.Retired, "retired"),
    ];

    /// <summary>Parses one name, in any case; explicit names only, so "4" or "active, retired" are refused.</summary>
    public static bool TryParse(string? value, out DeploymentLifecycles lifecycle)
    {
        var trimmed = value.AsSpan().Trim();
        foreach (var (candidate, name) in All)
        {
            if (trimmed.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                lifecycle = candidate;
                return true;
            }
        }

        lifecycle = DeploymentLifecycles.None;
        return false;
    }

    /// <summary>The names in a set, in lifecycle order: "active, deprecated".</summary>
    public static string Format(DeploymentLifecycles set) => string.Join(", ", List(set));

    /// <summary>The names in a set, one each, in lifecycle order.</summary>
    public static IReadOnlyList<string> List(DeploymentLifecycles set) =>
        [.. All.Where(l => (set & l.Lifecycle) != 0).Select(l => l.Name)];

    /// <summary>The name of one lifecycle, as <see cref="List"/> writes it.</summary>
    public static string Name(DeploymentLifecycles lifecycle)
    {
        // A loop, not FirstOrDefault with a lambda: the policy asks once per candidate deployment of every call.
        foreach (var (candidate, name) in All)
        {
            if (candidate == lifecycle)
            {
                return name;
            }
        }

        return string.Empty;
    }
}

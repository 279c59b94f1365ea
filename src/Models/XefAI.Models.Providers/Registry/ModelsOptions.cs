namespace XefAI.Models.Providers.Registry;

/// <summary>The <c>Models</c> configuration section: deployments keyed by id, YARP style.</summary>
public sealed record ModelsOptions
{
    public const string SectionName = "Models";

    public IReadOnlyDictionary<string, ModelDeploymentOptions> Deployments { get; init; } =
        new Dictionary<string, ModelDeploymentOptions>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One deployment as configured under <c>Models:Deployments:{id}</c>.</summary>
public sealed record ModelDeploymentOptions
{
    /// <summary>Provider kind, e.g. <c>openai</c> or <c>local</c>.</summary>
    public string? Kind { get; init; }

    /// <summary>YARP cluster of the vendor, for HTTP providers.</summary>
    public string? Cluster { get; init; }

    /// <summary>The vendor's model id.</summary>
    public string? Model { get; init; }

    /// <summary>Model version as registered.</summary>
    public string? Version { get; init; }

    /// <summary>Whether a business associate agreement covers this vendor.</summary>
    public bool Baa { get; init; }
}

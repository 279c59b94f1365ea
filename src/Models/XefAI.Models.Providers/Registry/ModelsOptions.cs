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

    /// <summary>candidate, validated, active (default), deprecated or retired.</summary>
    public string? Lifecycle { get; init; }

    /// <summary>For a deprecated deployment: the day it stops being served (ISO date).</summary>
    public DateOnly? SunsetDate { get; init; }

    /// <summary>US dollars per 1,000 input tokens; with <see cref="OutputPricePer1K"/> gives each call's cost.</summary>
    public decimal? InputPricePer1K { get; init; }

    /// <summary>US dollars per 1,000 output tokens.</summary>
    public decimal? OutputPricePer1K { get; init; }

    /// <summary>For embeddings: the vector size when the client asks for none (1 to 8192).</summary>
    public int? EmbeddingDimensions { get; init; }

    /// <summary>What the model is for: <c>chat</c>, <c>embeddings</c>, or both when unset.</summary>
    public IReadOnlyList<string>? Operations { get; init; }
}

namespace XefAI.Models;

/// <summary>A model a use case may be routed to: which provider kind serves it, where, and which vendor model.</summary>
/// <param name="Id">Registry id, referenced from use cases.</param>
/// <param name="Kind">Provider kind, e.g. <c>openai</c> or <c>local</c>.</param>
/// <param name="Cluster">YARP cluster of the vendor, for HTTP providers.</param>
/// <param name="VendorModel">The vendor's model id, e.g. <c>gpt-4o-mini</c>.</param>
/// <param name="Version">Model version as registered; a vendor version change is a new deployment.</param>
/// <param name="HasBaa">Whether a business associate agreement covers this vendor.</param>
/// <param name="Lifecycle">Where the deployment is in its life; only some lifecycles are routed to (governance decides which).</param>
/// <param name="SunsetDate">For a deprecated deployment, the day it stops being served.</param>
/// <param name="Pricing">Optional prices, for the cost recorded per call.</param>
/// <param name="EmbeddingDimensions">
/// For embeddings: the vector size to ask for when the client names none; null leaves it to the model.
/// </param>
/// <param name="Operations">What the deployment's model is for: chat, embeddings, or both when configuration does not say.</param>
public sealed record ModelDeployment(
    string Id,
    string Kind,
    string? Cluster,
    string VendorModel,
    string? Version,
    bool HasBaa,
    ModelLifecycle Lifecycle = ModelLifecycle.Active,
    DateOnly? SunsetDate = null,
    ModelPricing? Pricing = null,
    int? EmbeddingDimensions = null,
    ModelOperations Operations = ModelOperations.Any)
{
    /// <summary>Whether the deployment's model serves this operation.</summary>
    public bool Serves(ModelOperations operation) => (Operations & operation) == operation;
}

/// <summary>What a model is for; a chat model is not asked for vectors, nor an embedding model for a completion.</summary>
[Flags]
public enum ModelOperations
{
    Chat = 1,
    Embeddings = 2,
    Any = Chat | Embeddings,
}

/// <summary>Lifecycle of a model deployment.</summary>
public enum ModelLifecycle
{
    Candidate,
    Validated,
    Active,
    Deprecated,
    Retired,
}

/// <summary>Price per 1,000 input and output tokens, in US dollars.</summary>
public sealed record ModelPricing(decimal InputPer1K, decimal OutputPer1K)
{
    public decimal CostOf(TokenUsage usage) =>
        (usage.InputTokens * InputPer1K / 1000m) + (usage.OutputTokens * OutputPer1K / 1000m);
}

/// <summary>Reads the model registry.</summary>
public interface IModelRegistry
{
    bool TryGet(string deploymentId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelDeployment? deployment);

    IReadOnlyCollection<ModelDeployment> All { get; }
}

/// <summary>Finds the provider plugin for a kind.</summary>
public interface IModelProviderCatalog
{
    bool TryGet(string kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IModelProvider? provider);

    IReadOnlyCollection<string> Kinds { get; }
}

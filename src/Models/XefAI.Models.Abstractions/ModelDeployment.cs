namespace XefAI.Models;

/// <summary>A model a use case may be routed to: which provider kind serves it, where, and which vendor model.</summary>
/// <param name="Id">Registry id, referenced from use cases.</param>
/// <param name="Kind">Provider kind, e.g. <c>openai</c> or <c>local</c>.</param>
/// <param name="Cluster">YARP cluster of the vendor, for HTTP providers.</param>
/// <param name="VendorModel">The vendor's model id, e.g. <c>gpt-4o-mini</c>.</param>
/// <param name="Version">Model version as registered; a vendor version change is a new deployment.</param>
/// <param name="HasBaa">Whether a business associate agreement covers this vendor.</param>
public sealed record ModelDeployment(
    string Id,
    string Kind,
    string? Cluster,
    string VendorModel,
    string? Version,
    bool HasBaa);

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

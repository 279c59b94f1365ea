using XefAI.Data;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// The prompt templates of the configuration snapshot in force, for readers that hold no call's snapshot (the CDS
/// Hooks adapter, a host's own service): they see a template edit when the snapshot takes it, and never one it refused.
/// A call's own steps read <see cref="GatewaySnapshot.Prompts"/> of the call's snapshot instead.
/// </summary>
internal sealed class SnapshotPromptTemplateCatalog(GatewaySnapshots snapshots) : IPromptTemplateCatalog
{
    public IReadOnlyList<PromptTemplateInfo> Templates => snapshots.Current.Prompts?.Templates ?? [];

    public PromptTemplateInfo? Find(string templateName, string version) => snapshots.Current.Prompts?.Find(templateName, version);

    public Task<RenderedPrompt> RenderAsync(
        string templateName,
        string version,
        ClinicalContext context,
        IReadOnlyDictionary<string, string> parameters,
        CancellationToken cancellationToken = default) =>
        snapshots.Current.Prompts is { } prompts
            ? prompts.RenderAsync(templateName, version, context, parameters, cancellationToken)
            : throw new PromptTemplateException(PromptTemplateErrors.TemplateNotFound, "The configuration in force has no prompt templates.");
}

namespace XefAI.Data.Prompts;

/// <summary>Loads a <see cref="FilePromptTemplateCatalog"/> afresh on each call: the catalogs it returns share nothing.</summary>
internal sealed class FilePromptTemplateCatalogLoader : IPromptTemplateCatalogLoader
{
    public IPromptTemplateCatalog Load(string directory) => new FilePromptTemplateCatalog(directory);
}

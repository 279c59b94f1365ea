namespace XefAI.Data;

/// <summary>
/// Loads a prompt template catalog from a folder as it is now. A host that reloads its configuration loads one per
/// configuration snapshot, so each snapshot keeps the templates it was judged with, whatever the folder holds later.
/// </summary>
public interface IPromptTemplateCatalogLoader
{
    /// <summary>Reads and checks every template version under <paramref name="directory"/>; a missing folder is an empty catalog.</summary>
    /// <param name="directory">Full path of the folder holding one sub-folder per template name.</param>
    /// <returns>A catalog that never changes after it is returned.</returns>
    /// <exception cref="PromptTemplateException">Code <see cref="PromptTemplateErrors.TemplateInvalid"/>: a template is malformed.</exception>
    /// <exception cref="IOException">The folder or a file in it cannot be read.</exception>
    IPromptTemplateCatalog Load(string directory);
}

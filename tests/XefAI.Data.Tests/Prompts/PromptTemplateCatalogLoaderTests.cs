using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Data.Prompts;

namespace XefAI.Data.Tests.Prompts;

/// <summary>
/// A host that reloads its configuration loads a catalog per snapshot: each load reads the folder as it is then, and
/// a catalog already loaded keeps its templates whatever the folder holds later.
/// </summary>
public sealed class PromptTemplateCatalogLoaderTests
{
    private static readonly Dictionary<string, string> NoParameters = [];

    [Fact]
    public async Task Load_TemplateEditedAfterAnEarlierLoad_EachCatalogRendersTheTextItWasLoadedWith()
    {
        using var folder = new TempPrompts();
        folder.Write("task", "1", Template("First wording."));
        var loader = new FilePromptTemplateCatalogLoader();
        var before = loader.Load(folder.Path);

        folder.Write("task", "1", Template("Second wording."));
        var after = loader.Load(folder.Path);

        var old = await before.RenderAsync("task", "1", ClinicalContext.Empty, NoParameters);
        var edited = await after.RenderAsync("task", "1", ClinicalContext.Empty, NoParameters);
        Assert.Equal("First wording.", old.SystemMessage);
        Assert.Equal("Second wording.", edited.SystemMessage);
        Assert.NotEqual(old.TemplateSha256, edited.TemplateSha256);
    }

    [Fact]
    public void Load_VersionAddedAfterAnEarlierLoad_OnlyTheLaterCatalogHasIt()
    {
        using var folder = new TempPrompts();
        folder.Write("task", "1", Template("Version one."));
        var loader = new FilePromptTemplateCatalogLoader();
        var before = loader.Load(folder.Path);

        folder.Write("task", "2", Template("Version two."));
        var after = loader.Load(folder.Path);

        Assert.Equal(["task/1"], before.Templates.Select(t => $"{t.Name}/{t.Version}"));
        Assert.Equal(["task/1", "task/2"], after.Templates.Select(t => $"{t.Name}/{t.Version}"));
        Assert.Null(before.Find("task", "2"));
    }

    [Fact]
    public async Task Load_TemplateBrokenAfterAnEarlierLoad_ThrowsAndTheEarlierCatalogStillRenders()
    {
        using var folder = new TempPrompts();
        folder.Write("task", "1", Template("Good wording."));
        var loader = new FilePromptTemplateCatalogLoader();
        var before = loader.Load(folder.Path);

        folder.Write("task", "1", """{ "system": ["{{$undeclared}}"], "user": ["x"] }""");

        var ex = Assert.Throws<PromptTemplateException>(() => loader.Load(folder.Path));
        Assert.Equal(PromptTemplateErrors.TemplateInvalid, ex.Code);
        Assert.Contains("task/1.json", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Good wording.", (await before.RenderAsync("task", "1", ClinicalContext.Empty, NoParameters)).SystemMessage);
    }

    [Fact]
    public void AddXefAIData_RegistersTheFileLoader()
    {
        var services = new ServiceCollection();
        services.AddXefAIData(new ConfigurationBuilder().AddInMemoryCollection([new("Data:PseudonymSalt", "test-salt-0123456789")]).Build());
        using var provider = services.BuildServiceProvider();

        var catalog = provider.GetRequiredService<IPromptTemplateCatalogLoader>().Load(TempPrompts.Shipped);

        Assert.NotNull(catalog.Find("discharge-summary", "1"));
    }

    private static string Template(string system) => $$$"""{ "system": ["{{{system}}}"], "user": ["{{$context_text}}"] }""";
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace XefAI.Data.Tests.Prompts;

public sealed class PromptTemplateRegistrationTests
{
    [Fact]
    public void AddXefAIData_RelativePromptsPath_ResolvesAgainstContentRoot()
    {
        using var root = new TempPrompts();
        var prompts = Path.Combine(root.Path, "config", "prompts", "task");
        Directory.CreateDirectory(prompts);
        File.WriteAllText(Path.Combine(prompts, "3.json"), """{ "system": ["x"], "user": ["{{$context_text}}"] }""");
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new ContentRoot(root.Path));
        services.AddXefAIData(Configuration(promptsPath: null));
        using var provider = services.BuildServiceProvider();

        var catalog = provider.GetRequiredService<IPromptTemplateCatalog>();

        Assert.Equal(["task/3"], catalog.Templates.Select(t => $"{t.Name}/{t.Version}"));
    }

    [Fact]
    public void AddXefAIData_FullPromptsPath_UsesItAsIs()
    {
        var services = new ServiceCollection();
        services.AddXefAIData(Configuration(TempPrompts.Shipped));
        using var provider = services.BuildServiceProvider();

        var catalog = provider.GetRequiredService<IPromptTemplateCatalog>();

        Assert.NotNull(catalog.Find("discharge-summary", "1"));
    }

    [Fact]
    public void AddXefAIData_BlankPromptsPath_RefusesToStartNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddXefAIData(Configuration(" "));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal("Data:PromptsPath must name the prompt templates folder, e.g. config/prompts.", ex.Message);
    }

    private static IConfiguration Configuration(string? promptsPath)
    {
        var values = new Dictionary<string, string?> { ["Data:PseudonymSalt"] = "test-salt-0123456789" };
        if (promptsPath is not null)
        {
            values["Data:PromptsPath"] = promptsPath;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    private sealed class ContentRoot(string path) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "XefAI.Data.Tests";

        public string ContentRootPath { get; set; } = path;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

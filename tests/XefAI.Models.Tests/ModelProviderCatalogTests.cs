using XefAI.Models.Providers;
using XefAI.Models.Providers.Local;
using XefAI.Models.Providers.OpenAI;

namespace XefAI.Models.Tests;

public sealed class ModelProviderCatalogTests
{
    private static readonly LocalExtractiveProvider Local = new(TimeProvider.System);

    private static readonly OpenAIProvider OpenAI = new();

    [Fact]
    public void TryGet_KindInAnyCase_FindsProvider()
    {
        var catalog = new ModelProviderCatalog([OpenAI, Local]);

        Assert.True(catalog.TryGet("OpenAI", out var openai));
        Assert.Same(OpenAI, openai);
        Assert.True(catalog.TryGet("local", out var local));
        Assert.Same(Local, local);
        Assert.False(catalog.TryGet("anthropic", out _));
    }

    [Fact]
    public void Kinds_TwoProviders_ListsBothSorted() =>
        Assert.Equal(["local", "openai"], new ModelProviderCatalog([OpenAI, Local]).Kinds);

    [Fact]
    public void Constructor_TwoTypesWithOneKind_ThrowsNamingBothTypes()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => new ModelProviderCatalog([OpenAI, new PluginProvider("OPENAI")]));

        Assert.Equal(
            "Model providers XefAI.Models.Providers.OpenAI.OpenAIProvider and "
            + "XefAI.Models.Tests.ModelProviderCatalogTests+PluginProvider both declare kind 'OPENAI'.",
            exception.Message);
    }

    [Fact]
    public void Constructor_SameProviderRegisteredTwice_ThrowsSayingSo()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => new ModelProviderCatalog([OpenAI, new OpenAIProvider()]));

        Assert.Equal("Model provider XefAI.Models.Providers.OpenAI.OpenAIProvider is registered twice for kind 'openai'.", exception.Message);
    }

    [Fact]
    public void Constructor_ProviderWithoutKind_Throws()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => new ModelProviderCatalog([new PluginProvider(" ")]));

        Assert.Equal("Model provider XefAI.Models.Tests.ModelProviderCatalogTests+PluginProvider declares no kind.", exception.Message);
    }

    [Fact]
    public void TryGet_Empty_FindsNothing()
    {
        var catalog = new ModelProviderCatalog([]);

        Assert.Empty(catalog.Kinds);
        Assert.False(catalog.TryGet("openai", out _));
    }

    private sealed class PluginProvider(string kind) : IModelProvider
    {
        public string Kind => kind;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XefAI.Models.Providers;
using XefAI.Models.Providers.Registry;

namespace XefAI.Models.Tests;

public sealed class ModelsServiceCollectionExtensionsTests
{
    private static readonly IConfiguration Configuration = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Models:Deployments:local-extractive:Kind"] = "local",
            ["Models:Deployments:local-extractive:Model"] = "xefai-local-extractive",
        })
        .Build();

    [Fact]
    public void AddXefAIModels_Called_RegistersRegistryCatalogAndSystemClockButNoProviders()
    {
        using var services = new ServiceCollection().AddXefAIModels(Configuration).BuildServiceProvider();

        Assert.IsType<ModelRegistry>(services.GetRequiredService<IModelRegistry>());
        Assert.IsType<ModelProviderCatalog>(services.GetRequiredService<IModelProviderCatalog>());
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
        Assert.Empty(services.GetServices<IModelProvider>());
        Assert.Empty(services.GetRequiredService<IModelProviderCatalog>().Kinds);
    }

    [Fact]
    public void AddXefAIModels_CalledTwice_RegistersEachServiceOnce()
    {
        var collection = new ServiceCollection().AddXefAIModels(Configuration).AddXefAIModels(Configuration);

        Assert.Single(collection, descriptor => descriptor.ServiceType == typeof(IModelRegistry));
        Assert.Single(collection, descriptor => descriptor.ServiceType == typeof(IModelProviderCatalog));
        Assert.Single(collection, descriptor => descriptor.ServiceType == typeof(TimeProvider));
        Assert.Single(collection, descriptor => descriptor.ServiceType == typeof(IValidateOptions<ModelsOptions>));
        using var services = collection.BuildServiceProvider();
        Assert.Single(services.GetRequiredService<IModelRegistry>().All);
    }

    [Fact]
    public void AddXefAIModels_HostRegisteredClockAndProviders_KeepsClockAndCatalogsProviders()
    {
        var clock = new Support.FixedTimeProvider(DateTimeOffset.UnixEpoch);
        var collection = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<IModelProvider, Providers.OpenAI.OpenAIProvider>()
            .AddSingleton<IModelProvider, Providers.Local.LocalExtractiveProvider>()
            .AddXefAIModels(Configuration);
        using var services = collection.BuildServiceProvider();

        Assert.Same(clock, services.GetRequiredService<TimeProvider>());
        Assert.Equal(["local", "openai"], services.GetRequiredService<IModelProviderCatalog>().Kinds);
    }
}

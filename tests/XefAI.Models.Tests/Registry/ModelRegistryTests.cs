using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XefAI.Models.Tests.Support;

namespace XefAI.Models.Tests.Registry;

public sealed class ModelRegistryTests
{
    private static readonly Dictionary<string, string?> TwoDeployments = new()
    {
        ["Models:Deployments:gpt-4o-mini:Kind"] = "openai",
        ["Models:Deployments:gpt-4o-mini:Cluster"] = "openai",
        ["Models:Deployments:gpt-4o-mini:Model"] = "gpt-4o-mini",
        ["Models:Deployments:gpt-4o-mini:Version"] = "2024-07-18",
        ["Models:Deployments:gpt-4o-mini:Baa"] = "false",
        ["Models:Deployments:local-extractive:Kind"] = "local",
        ["Models:Deployments:local-extractive:Model"] = "xefai-local-extractive",
    };

    [Fact]
    public void TryGet_ConfiguredDeployment_ReturnsEveryField()
    {
        using var services = Build(new ReloadableConfigurationSource(TwoDeployments));
        var registry = services.GetRequiredService<IModelRegistry>();

        Assert.True(registry.TryGet("gpt-4o-mini", out var openai));
        Assert.Equal(new ModelDeployment("gpt-4o-mini", "openai", "openai", "gpt-4o-mini", "2024-07-18", HasBaa: false), openai);
        Assert.True(registry.TryGet("local-extractive", out var local));
        Assert.Equal(new ModelDeployment("local-extractive", "local", null, "xefai-local-extractive", null, HasBaa: false), local);
    }

    [Fact]
    public void TryGet_IdInOtherCase_FindsDeploymentLikeConfigurationDoes()
    {
        using var services = Build(new ReloadableConfigurationSource(TwoDeployments));
        var registry = services.GetRequiredService<IModelRegistry>();

        Assert.True(registry.TryGet("GPT-4o-Mini", out var deployment));
        Assert.Equal("gpt-4o-mini", deployment.Id);
        Assert.False(registry.TryGet("gpt-4o", out _));
    }

    [Fact]
    public void All_TwoDeployments_ListsThemById()
    {
        using var services = Build(new ReloadableConfigurationSource(TwoDeployments));

        Assert.Equal(["gpt-4o-mini", "local-extractive"], services.GetRequiredService<IModelRegistry>().All.Select(d => d.Id));
    }

    [Fact]
    public void TryGet_JsonConfigurationInYarpShape_BindsDeploymentsKeyedById()
    {
        const string Json = """
            {
              "Models": {
                "Deployments": {
                  "gpt-4o-mini": { "Kind": "openai", "Cluster": "openai", "Model": "gpt-4o-mini", "Version": "2024-07-18", "Baa": false },
                  "azure-gpt-4o": { "Kind": "openai", "Cluster": "azure-eastus", "Model": "gpt-4o", "Version": "2024-08-06", "Baa": true },
                  "local-extractive": { "Kind": "local", "Model": "xefai-local-extractive" }
                }
              }
            }
            """;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Json));
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        using var services = new ServiceCollection().AddXefAIModels(configuration).BuildServiceProvider();
        var registry = services.GetRequiredService<IModelRegistry>();

        Assert.Equal(["azure-gpt-4o", "gpt-4o-mini", "local-extractive"], registry.All.Select(d => d.Id));
        Assert.True(registry.TryGet("azure-gpt-4o", out var azure));
        Assert.Equal(new ModelDeployment("azure-gpt-4o", "openai", "azure-eastus", "gpt-4o", "2024-08-06", HasBaa: true), azure);
    }

    [Fact]
    public void TryGet_ConfigurationReloaded_SeesAddedChangedAndRemovedDeployments()
    {
        var source = new ReloadableConfigurationSource(TwoDeployments);
        using var services = Build(source);
        var registry = services.GetRequiredService<IModelRegistry>();

        source.Replace(new Dictionary<string, string?>
        {
            ["Models:Deployments:gpt-4o-mini:Kind"] = "openai",
            ["Models:Deployments:gpt-4o-mini:Cluster"] = "azure-eastus",
            ["Models:Deployments:gpt-4o-mini:Model"] = "gpt-4o-mini",
            ["Models:Deployments:gpt-4o-mini:Baa"] = "true",
            ["Models:Deployments:claude:Kind"] = "anthropic",
            ["Models:Deployments:claude:Cluster"] = "anthropic",
            ["Models:Deployments:claude:Model"] = "claude-sonnet-4-5",
        });

        Assert.Equal(["claude", "gpt-4o-mini"], registry.All.Select(d => d.Id));
        Assert.True(registry.TryGet("gpt-4o-mini", out var moved));
        Assert.Equal(new ModelDeployment("gpt-4o-mini", "openai", "azure-eastus", "gpt-4o-mini", null, HasBaa: true), moved);
        Assert.False(registry.TryGet("local-extractive", out _));
    }

    [Fact]
    public void TryGet_InvalidReload_KeepsLastGoodDeploymentsUntilAValidOne()
    {
        var source = new ReloadableConfigurationSource(TwoDeployments);
        using var services = Build(source);
        var registry = services.GetRequiredService<IModelRegistry>();

        // OptionsMonitor throws the validation failure on the thread that raised the reload.
        var reloadError = Record.Exception(() => source.Replace(new Dictionary<string, string?>
        {
            ["Models:Deployments:gpt-4o-mini:Kind"] = "openai",
        }));

        Assert.IsType<OptionsValidationException>(Unwrap(reloadError));
        Assert.Equal(["gpt-4o-mini", "local-extractive"], registry.All.Select(d => d.Id));
        Assert.True(registry.TryGet("gpt-4o-mini", out var kept));
        Assert.Equal("gpt-4o-mini", kept.VendorModel);

        source.Replace(new Dictionary<string, string?>
        {
            ["Models:Deployments:local-extractive:Kind"] = "local",
            ["Models:Deployments:local-extractive:Model"] = "xefai-local-extractive",
        });

        Assert.Equal(["local-extractive"], registry.All.Select(d => d.Id));
    }

    private static ServiceProvider Build(ReloadableConfigurationSource source)
    {
        var configuration = new ConfigurationBuilder().Add(source).Build();
        return new ServiceCollection().AddXefAIModels(configuration).BuildServiceProvider();
    }

    private static Exception? Unwrap(Exception? exception)
    {
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }

        return exception;
    }
}

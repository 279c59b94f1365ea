using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XefAI.Models.Providers.Registry;

namespace XefAI.Models.Tests.Embeddings;

/// <summary>A deployment says what its model is for, so a use case never asks an embedding model for a completion.</summary>
public sealed class DeploymentOperationsConfigurationTests
{
    [Theory]
    [InlineData(null, ModelOperations.Any)]
    [InlineData("chat", ModelOperations.Chat)]
    [InlineData("Embeddings", ModelOperations.Embeddings)]
    public void Registry_OperationsConfigured_DeploymentServesThoseOnly(string? operation, ModelOperations expected)
    {
        var values = new Dictionary<string, string?>
        {
            ["Models:Deployments:m:Kind"] = "local",
            ["Models:Deployments:m:Model"] = "xefai-local-hashing",
        };
        if (operation is not null)
        {
            values["Models:Deployments:m:Operations:0"] = operation;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        using var services = new ServiceCollection().AddXefAIModels(configuration).BuildServiceProvider();

        Assert.True(services.GetRequiredService<IModelRegistry>().TryGet("m", out var deployment));
        Assert.Equal(expected, deployment.Operations);
        Assert.Equal(expected.HasFlag(ModelOperations.Chat), deployment.Serves(ModelOperations.Chat));
        Assert.Equal(expected.HasFlag(ModelOperations.Embeddings), deployment.Serves(ModelOperations.Embeddings));
    }

    [Theory]
    [InlineData("completions")]
    [InlineData("any")]
    [InlineData("")]
    public void Validate_UnknownOperation_Fails(string operation)
    {
        var options = new ModelsOptions
        {
            Deployments = new Dictionary<string, ModelDeploymentOptions>
            {
                ["m"] = new() { Kind = "local", Model = "xefai-local-hashing", Operations = ["chat", operation] },
            },
        };

        var result = new ModelsOptionsValidator(NullLogger<ModelsOptionsValidator>.Instance).Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Equal(["Models:Deployments:m:Operations may name only chat and embeddings."], result.Failures);
    }
}

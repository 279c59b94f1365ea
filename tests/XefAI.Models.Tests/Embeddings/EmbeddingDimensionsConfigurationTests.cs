using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XefAI.Models.Providers.Registry;

namespace XefAI.Models.Tests.Embeddings;

public sealed class EmbeddingDimensionsConfigurationTests
{
    [Fact]
    public void TryGet_DeploymentWithEmbeddingDimensions_CarriesThem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Models:Deployments:local-embeddings:Kind"] = "local",
            ["Models:Deployments:local-embeddings:Model"] = "xefai-local-hashing",
            ["Models:Deployments:local-embeddings:EmbeddingDimensions"] = "384",
        }).Build();
        using var services = new ServiceCollection().AddXefAIModels(configuration).BuildServiceProvider();

        Assert.True(services.GetRequiredService<IModelRegistry>().TryGet("local-embeddings", out var deployment));
        Assert.Equal(384, deployment.EmbeddingDimensions);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(8193)]
    public void Validate_EmbeddingDimensionsOutOfRange_Fails(int dimensions)
    {
        var options = new ModelsOptions
        {
            Deployments = new Dictionary<string, ModelDeploymentOptions>
            {
                ["local-embeddings"] = new() { Kind = "local", Model = "xefai-local-hashing", EmbeddingDimensions = dimensions },
            },
        };

        var result = new ModelsOptionsValidator(NullLogger<ModelsOptionsValidator>.Instance).Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Equal(["Models:Deployments:local-embeddings:EmbeddingDimensions must be from 1 to 8192."], result.Failures);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8192)]
    public void Validate_EmbeddingDimensionsInRange_Succeeds(int dimensions)
    {
        var options = new ModelsOptions
        {
            Deployments = new Dictionary<string, ModelDeploymentOptions>
            {
                ["local-embeddings"] = new() { Kind = "local", Model = "xefai-local-hashing", EmbeddingDimensions = dimensions },
            },
        };

        Assert.True(new ModelsOptionsValidator(NullLogger<ModelsOptionsValidator>.Instance).Validate(Options.DefaultName, options).Succeeded);
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XefAI.Models.Providers.Registry;

namespace XefAI.Models.Tests.Registry;

public sealed class ModelsOptionsValidatorTests
{
    private readonly ModelsOptionsValidator _validator = new(NullLogger<ModelsOptionsValidator>.Instance);

    [Fact]
    public void Validate_CompleteDeployments_Succeeds()
    {
        var options = new ModelsOptions
        {
            Deployments = new Dictionary<string, ModelDeploymentOptions>
            {
                ["gpt-4o-mini"] = new() { Kind = "openai", Cluster = "openai", Model = "gpt-4o-mini" },
                ["local-extractive"] = new() { Kind = "local", Model = "xefai-local-extractive" },
            },
        };

        Assert.True(_validator.Validate(Options.DefaultName, options).Succeeded);
    }

    [Fact]
    public void Validate_UnknownKind_SucceedsBecauseTheHostChecksKinds()
    {
        var options = new ModelsOptions
        {
            Deployments = new Dictionary<string, ModelDeploymentOptions>
            {
                ["claude"] = new() { Kind = "anthropic-from-a-plugin", Cluster = "anthropic", Model = "claude-sonnet-4-5" },
            },
        };

        Assert.True(_validator.Validate(Options.DefaultName, options).Succeeded);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsAllOfThem()
    {
        var options = new ModelsOptions
        {
            Deployments = new Dictionary<string, ModelDeploymentOptions>
            {
                ["local-extractive"] = new() { Kind = "local", Model = " " },
                ["gpt-4o-mini"] = new() { Cluster = "  " },
            },
        };

        var result = _validator.Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Equal(
            [
                "Models:Deployments:gpt-4o-mini:Kind is required.",
                "Models:Deployments:gpt-4o-mini:Model is required.",
                "Models:Deployments:gpt-4o-mini:Cluster is blank; remove it or name a cluster.",
                "Models:Deployments:local-extractive:Model is required.",
            ],
            result.Failures);
    }

    [Fact]
    public void ValidateOnStart_InvalidConfiguration_RefusesToStartNamingEveryProblem()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Models:Deployments:gpt-4o-mini:Cluster"] = "openai",
                ["Models:Deployments:local-extractive:Kind"] = "local",
            })
            .Build();
        using var services = new ServiceCollection().AddXefAIModels(configuration).BuildServiceProvider();

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "Models:Deployments:gpt-4o-mini:Kind is required.",
                "Models:Deployments:gpt-4o-mini:Model is required.",
                "Models:Deployments:local-extractive:Model is required.",
            ],
            exception.Failures);
    }
}

using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Data;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Plugins;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models;
using XefAI.Models.Providers.Registry;

namespace XefAI.Gateway.Tests.Configuration;

/// <summary>The cross-layer check judges a snapshot as a whole: what each layer accepts alone must also fit together.</summary>
public sealed class LayerConfigurationValidatorTests
{
    // The Models layer with its own providers (local, openai), found as the host finds them; fakes in this assembly
    // would be found by every test host's plugin scan too.
    private static readonly IServiceProvider Layers = new ServiceCollection()
        .AddXefAIModels(new ConfigurationBuilder().Build())
        .AddXefAIPlugins([typeof(ModelsOptions).Assembly])
        .BuildServiceProvider();

    [Fact]
    public void Validate_ConsistentSnapshot_NoError()
    {
        var validator = Validator();

        Assert.Empty(validator.Validate(Snapshot(template: ("chart-summary", "1"), catalog: new Catalog(("chart-summary", "1")))));
    }

    [Fact]
    public void Validate_ClientGrantsUseCaseNotConfigured_NamesClientAndUseCase()
    {
        var validator = Validator();

        var errors = validator.Validate(Snapshot(grants: ["summary", "ghost"]));

        Assert.Equal(["Gateway:Clients:test-app grants use case 'ghost', which is not in Governance:UseCases."], errors);
    }

    [Fact]
    public void Validate_UseCaseNamesUnregisteredDeployment_NamesUseCaseAndDeployment()
    {
        var validator = Validator();

        var errors = validator.Validate(Snapshot(providers: ["local", "nowhere"]));

        Assert.Equal(["Governance:UseCases:summary lists provider 'nowhere', which is not in Models:Deployments."], errors);
    }

    [Fact]
    public void Validate_PromptTemplateVersionNotInCatalog_NamesUseCaseTemplateAndVersion()
    {
        var validator = Validator();

        var errors = validator.Validate(Snapshot(template: ("chart-summary", "2"), catalog: new Catalog(("chart-summary", "1"))));

        var error = Assert.Single(errors);
        Assert.StartsWith("Governance:UseCases:summary names prompt template chart-summary/2, which is not in Data:PromptsPath (", error, StringComparison.Ordinal);
        Assert.EndsWith("; loaded: chart-summary/1).", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SnapshotCarriesNoCatalog_TemplateReferenceReportedWithNoneLoaded()
    {
        var validator = Validator();

        var error = Assert.Single(validator.Validate(Snapshot(template: ("chart-summary", "1"), catalog: null)));

        Assert.EndsWith("; loaded: none).", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TemplateOnlyInTheHostsCatalog_JudgedByTheSnapshotsOwn()
    {
        // The host's registered catalog is the one in force; a new snapshot is judged by the catalog loaded for it.
        var validator = Validator(hostCatalog: new Catalog(("chart-summary", "2")));

        var error = Assert.Single(validator.Validate(Snapshot(template: ("chart-summary", "2"), catalog: new Catalog(("chart-summary", "1")))));

        Assert.StartsWith("Governance:UseCases:summary names prompt template chart-summary/2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AppWithoutKeyAndNoCdsClient_NamesTheMissingKey()
    {
        var snapshot = Snapshot();
        snapshot.Gateway.Clients["keyless-app"] = new ClientAppOptions { UseCases = ["summary"] };

        var error = Assert.Single(Validator().Validate(snapshot));

        Assert.StartsWith("Gateway:Clients:keyless-app:ApiKeySha256 is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AppWithoutKeyThatACdsClientCountsAs_NoError()
    {
        var snapshot = Snapshot();
        snapshot.Gateway.Clients["ehr-app"] = new ClientAppOptions { UseCases = ["summary"] };
        snapshot.CdsHooks.Clients["ehr"] = new CdsClientOptions { Issuer = "https://ehr.example.org", JwksUrl = "https://ehr.example.org/jwks", App = "ehr-app" };

        Assert.Empty(Validator().Validate(snapshot));
    }

    private static LayerConfigurationValidator Validator(IPromptTemplateCatalog? hostCatalog = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(hostCatalog ?? new Catalog());
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ReverseProxy:Clusters:vendor:Destinations:primary:Address"] = "http://127.0.0.1:9/" })
            .Build();
        return new LayerConfigurationValidator(Layers.GetRequiredService<IModelProviderCatalog>(), configuration, services.BuildServiceProvider());
    }

    private static GatewaySnapshot Snapshot(string[]? grants = null, string[]? providers = null, (string Id, string Version)? template = null, IPromptTemplateCatalog? catalog = null)
    {
        var gateway = new GatewayOptions();
        gateway.Clients["test-app"] = new ClientAppOptions { ApiKeySha256 = new string('a', 64), UseCases = [.. grants ?? ["summary"]] };
        var governance = new GovernanceOptions
        {
            UseCases = new Dictionary<string, UseCaseOptions>(StringComparer.Ordinal)
            {
                ["summary"] = new()
                {
                    Name = "Chart summary",
                    Owner = "Owner",
                    Tier = 2,
                    Status = "active",
                    Providers = providers ?? ["local"],
                    PromptTemplate = template is { } t ? new PromptTemplateOptions { Id = t.Id, Version = t.Version } : null,
                },
            },
        };
        var models = new ModelsOptions
        {
            Deployments = new Dictionary<string, ModelDeploymentOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["local"] = new() { Kind = "local", Model = "xefai-local-extractive" },
                ["vendor"] = new() { Kind = "openai", Cluster = "vendor", Model = "gpt-4o-mini" },
            },
        };
        var deployments = Layers.GetRequiredService<IModelRegistryFactory>().Create(models);
        return new GatewaySnapshot(1, gateway, new ResilienceOptions(), ApiKeyDirectory.From(gateway), new NoUseCases(), deployments)
        {
            Governance = governance,
            Prompts = catalog,
        };
    }

    /// <summary>The check reads the configured use cases, never the registry, whose statuses would open the state store.</summary>
    private sealed class NoUseCases : IUseCaseRegistry
    {
        public IReadOnlyCollection<UseCase> All => throw new InvalidOperationException("The cross-layer check must not read use-case statuses.");

        public bool TryGet(string id, [NotNullWhen(true)] out UseCase? useCase) => throw new InvalidOperationException("The cross-layer check must not read use-case statuses.");
    }

    private sealed class Catalog(params (string Name, string Version)[] templates) : IPromptTemplateCatalog
    {
        public IReadOnlyList<PromptTemplateInfo> Templates { get; } = [.. templates.Select(t => new PromptTemplateInfo(t.Name, t.Version, new string('0', 64), null, []))];

        public PromptTemplateInfo? Find(string templateName, string version) =>
            Templates.FirstOrDefault(t => t.Name == templateName && t.Version == version);

        public Task<RenderedPrompt> RenderAsync(
            string templateName, string version, ClinicalContext context, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using XefAI.Data.Configuration;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Configuration;

public sealed class GovernedConfigurationTests
{
    private const string AppKeyHash = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string AdminKeyHash = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string Salt = "salt-secret-value-0123";

    private static readonly Dictionary<string, string?> Clusters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ReverseProxy:Clusters:vendor:Destinations:primary:Address"] = "https://user:pw-in-url@vendor.example/v1?api-key=key-in-query#fragment",
        ["ReverseProxy:Clusters:vendor:Metadata:ApiKeyVariable"] = "VENDOR_KEY_VARIABLE",
    };

    [Fact]
    public void Of_KeysSaltAndCredentialsInConfiguration_NoneWritten()
    {
        var governed = GovernedConfiguration.Of(Snapshot(), Clusters);

        foreach (var secret in new[] { AppKeyHash, AdminKeyHash, Salt, "pw-in-url", "key-in-query", "fragment", "VENDOR_KEY_VARIABLE", "user" })
        {
            Assert.DoesNotContain(secret, governed.Json, StringComparison.OrdinalIgnoreCase);
        }

        var json = JsonNode.Parse(governed.Json)!;
        Assert.Equal("https://vendor.example/v1", (string?)json["clusters"]!["vendor"]!["primary"]);
        Assert.Equal("summary", (string?)json["apps"]!["test-app"]!["useCases"]![0]);
        Assert.Equal("test-admin", (string?)json["admins"]![0]);
    }

    [Fact]
    public void Of_SameConfigurationTwice_SameCanonicalJsonAndItsHash()
    {
        var one = GovernedConfiguration.Of(Snapshot(), Clusters);
        var other = GovernedConfiguration.Of(Snapshot(), new Dictionary<string, string?>(Clusters.Reverse(), StringComparer.OrdinalIgnoreCase));

        Assert.Equal(one.Json, other.Json);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(one.Json))), one.Sha256);
        Assert.Equal("config:" + one.Sha256, one.Reason);

        // Keys in ordinal order, no whitespace.
        Assert.StartsWith("{\"admins\":[\"test-admin\"],\"apps\":{", one.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("\": ", one.Json, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangesFrom_VersionChangedUseCaseAddedAppAndAdminReplaced_NamesEachById()
    {
        var before = GovernedConfiguration.Of(Snapshot(), Clusters);
        var after = GovernedConfiguration.Of(Snapshot(localVersion: "2", extraUseCase: "coding;assist", withApp: false), Clusters);

        var changes = after.ChangesFrom(before);

        Assert.Contains("deployments_changed:local", changes);
        Assert.Contains("use_cases_added:coding_assist", changes);
        Assert.Contains("apps_removed:test-app", changes);
        Assert.Contains("admins_added:other-admin", changes);
        Assert.Contains("admins_removed:test-admin", changes);
        Assert.DoesNotContain(changes, c => c.StartsWith("policies", StringComparison.Ordinal));
        Assert.Empty(before.ChangesFrom(GovernedConfiguration.Of(Snapshot(), Clusters)));
    }

    private static GatewaySnapshot Snapshot(string localVersion = "1", string? extraUseCase = null, bool withApp = true)
    {
        var gateway = new GatewayOptions();
        if (withApp)
        {
            gateway.Clients["test-app"] = new ClientAppOptions { ApiKeySha256 = AppKeyHash, UseCases = ["summary"] };
        }

        gateway.Admins[withApp ? "test-admin" : "other-admin"] = new AdminOptions { ApiKeySha256 = AdminKeyHash };
        var useCases = new Dictionary<string, UseCaseOptions>(StringComparer.Ordinal)
        {
            ["summary"] = new() { Name = "Chart summary", Owner = "Owner", Tier = 2, Status = "active", Providers = ["local"] },
        };
        if (extraUseCase is not null)
        {
            useCases[extraUseCase] = new() { Name = "Coding", Owner = "Owner", Tier = 2, Status = "proposed", Providers = ["local"] };
        }

        var models = new Models(
            new ModelDeployment("local", "local", null, "xefai-local-extractive", localVersion, HasBaa: false),
            new ModelDeployment("vendor", "openai", "vendor", "gpt-4o-mini", "2024-07-18", HasBaa: true));
        return new GatewaySnapshot(1, gateway, new ResilienceOptions(), ApiKeyDirectory.From(gateway), new StatusesNeverRead(), models)
        {
            Governance = new GovernanceOptions { UseCases = useCases },
            Data = new DataOptions { PseudonymSalt = Salt },
        };
    }

    /// <summary>Statuses a registry shows are governance state, read from a store that may be down: never read to describe configuration.</summary>
    private sealed class StatusesNeverRead : IUseCaseRegistry
    {
        public IReadOnlyCollection<UseCase> All => throw new InvalidOperationException("The configuration's description must not read use-case statuses.");

        public bool TryGet(string id, [NotNullWhen(true)] out UseCase? useCase) =>
            throw new InvalidOperationException("The configuration's description must not read use-case statuses.");
    }

    private sealed class Models(params ModelDeployment[] deployments) : IModelRegistry
    {
        public IReadOnlyCollection<ModelDeployment> All => deployments;

        public bool TryGet(string deploymentId, [NotNullWhen(true)] out ModelDeployment? deployment)
        {
            deployment = deployments.FirstOrDefault(d => d.Id == deploymentId);
            return deployment is not null;
        }
    }
}

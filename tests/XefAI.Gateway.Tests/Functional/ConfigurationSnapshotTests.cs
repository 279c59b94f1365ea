using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Gateway.Configuration;
using XefAI.Governance;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Every reload becomes one configuration snapshot, cross-checked across layers before it is put in force: an edit
/// that each layer accepts but that does not fit together is refused whole, and the last good snapshot keeps serving.
/// </summary>
[Collection(ConfigurationWatchingCollection.Name)]
public sealed class ConfigurationSnapshotTests
{
    [Fact]
    public async Task ConfigEdit_ClientGrantedUnknownUseCase_RejectedAndLastGoodSnapshotKeepsServing()
    {
        var logs = new FakeLoggerProvider();
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true, builder: b => b.Logging.AddProvider(logs));
        using var client = host.CreateClient();
        var version = Snapshots(host).Current.Version;
        var before = host.Reloads;

        // Each layer alone accepts this edit; only together do they show that 'ghost' does not exist.
        await host.RewriteConfigurationAsync(c =>
        {
            c["Gateway"]!["Clients"]!["test-app"]!["UseCases"]!.AsArray().Add("ghost");
            c["Governance"]!["UseCases"]!["summary"]!["Status"] = "suspended";
        });
        await host.WaitForReloadAsync(before, applied: false);

        // Had the Governance section been taken on its own, summary would now be suspended (403).
        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
        Assert.Equal(version, Snapshots(host).Current.Version);
        var rejection = Assert.Single(logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Error && r.Category == "XefAI.Gateway.Configuration");
        Assert.Contains("Gateway:Clients:test-app grants use case 'ghost'", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigEdit_UseCaseNamesUnregisteredDeployment_RejectedAndLastGoodSnapshotKeepsServing()
    {
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true);
        using var client = host.CreateClient();
        var before = host.Reloads;

        await host.RewriteConfigurationAsync(c => c["Governance"]!["UseCases"]!["summary"]!["Providers"] = new JsonArray("nowhere"));
        await host.WaitForReloadAsync(before, applied: false);

        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
        Assert.True(Snapshots(host).Current.UseCases.TryGet("summary", out var summary));
        Assert.Equal(["local"], summary.Providers);

        // The refused edit leaves no trace: the next good one is judged from the file as it then is.
        await host.EditConfigurationAsync(c => c["Governance"]!["UseCases"]!["summary"]!["Providers"] = new JsonArray("local"));
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."))).Status);
    }

    [Fact]
    public async Task ConfigEdit_Valid_OneNewSnapshotWithHigherVersionAndHeldSnapshotUnchanged()
    {
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true);
        var held = Snapshots(host).Current;

        await host.EditConfigurationAsync(c =>
        {
            c["Gateway"]!["MaxRequestBodyBytes"] = 4096;
            c["Gateway"]!["Clients"]!.AsObject().Remove("other-app");
            c["Governance"]!["UseCases"]!["summary"]!["Name"] = "Chart summary, renamed";
            c["Governance"]!["UseCases"]!["summary"]!["Tier"] = 3;
            c["Models"]!["Deployments"]!["local"]!["Lifecycle"] = "validated";
        });

        var current = Snapshots(host).Current;
        Assert.Equal(held.Version + 1, current.Version);
        Assert.Equal(4096, current.Gateway.MaxRequestBodyBytes);
        Assert.False(current.Keys.TryAuthenticateClient($"Bearer {GatewayHost.OtherClientKey}", out _));
        Assert.True(current.UseCases.TryGet("summary", out var renamed));
        Assert.Equal("Chart summary, renamed", renamed.Name);
        Assert.Equal(ReviewRequirement.Draft, renamed.TierControls!.Review);

        // A call that took the snapshot before the edit still sees everything as it was.
        Assert.Equal(1024 * 1024, held.Gateway.MaxRequestBodyBytes);
        Assert.True(held.Keys.TryAuthenticateClient($"Bearer {GatewayHost.OtherClientKey}", out var otherApp));
        Assert.Equal("other-app", otherApp.Id);
        Assert.True(held.UseCases.TryGet("summary", out var summary));
        Assert.Equal("Chart summary", summary.Name);
        Assert.Equal(RiskTier.Operational, summary.Tier);
        Assert.Equal(ReviewRequirement.None, summary.TierControls!.Review);
        Assert.True(held.Models.TryGet("local", out var local));
        Assert.Equal(XefAI.Models.ModelLifecycle.Active, local.Lifecycle);
    }

    [Fact]
    public async Task ConfigEdit_TwoFilesInOneEdit_OneSnapshotAndNoHalfEditJudged()
    {
        var directory = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
        var environmentFile = Path.Combine(directory, "config", "appsettings.Testing.json");
        Directory.CreateDirectory(Path.GetDirectoryName(environmentFile)!);
        await File.WriteAllTextAsync(environmentFile, "{}");
        await using var host = await GatewayHost.StartAsync(directory: directory, watchConfiguration: true);
        using var client = host.CreateClient();
        var version = Snapshots(host).Current.Version;
        var before = host.Reloads;

        // The grant is in one file and the use case it grants in the other: either file taken alone is refused by the
        // cross-layer check. Both are written first and then moved into place back to back, as a deployment tool would.
        var grant = JsonNode.Parse(await File.ReadAllTextAsync(host.ConfigurationPath))!.AsObject();
        grant["Gateway"]!["Clients"]!["other-app"]!["UseCases"]!.AsArray().Add("triage");
        var useCase = new JsonObject
        {
            ["Governance"] = new JsonObject { ["UseCases"] = new JsonObject { ["triage"] = GatewayHost.UseCase("Triage", 1, "active", "local") } },
        };
        await File.WriteAllTextAsync(host.ConfigurationPath + ".next", grant.ToJsonString());
        await File.WriteAllTextAsync(environmentFile + ".next", useCase.ToJsonString());
        File.Move(host.ConfigurationPath + ".next", host.ConfigurationPath, overwrite: true);
        File.Move(environmentFile + ".next", environmentFile, overwrite: true);
        await host.WaitForReloadAsync(before, applied: true);

        using var otherApp = host.CreateClient(GatewayHost.OtherClientKey);
        Assert.Equal(200, (await otherApp.PostChatAsync(ChatBody("triage", "Stable. Discharged home."))).Status);

        // A later edit makes the count exact: had the two files been judged apart, there would be one snapshot more.
        await host.EditConfigurationAsync(c => c["Gateway"]!["MaxRequestBodyBytes"] = 4096);
        Assert.Equal(version + 2, Snapshots(host).Current.Version);
        Assert.Equal(before.Rejected, host.Reloads.Rejected);
        Assert.Equal(before.Applied + 2, host.Reloads.Applied);
    }

    [Fact]
    public async Task UseCaseSuspended_HeldSnapshotShowsTheStatusAtOnce()
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var held = Snapshots(host).Current;

        var suspended = await admin.PostReasonAsync("/admin/use-cases/summary/suspend", "Drift under review");

        // A status is governance state, not configuration: a call must never be served by a use case suspended after it
        // took its snapshot.
        Assert.Equal(200, suspended.Status);
        Assert.True(held.UseCases.TryGet("summary", out var summary));
        Assert.Equal(UseCaseStatus.Suspended, summary.Status);
        Assert.Same(held, Snapshots(host).Current);
    }

    private static GatewaySnapshots Snapshots(GatewayHost host) => host.Services.GetRequiredService<GatewaySnapshots>();
}

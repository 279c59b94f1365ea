using System.Text.Json.Nodes;
using XefAI.Gateway.Tests.Functional;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Admin;

/// <summary>
/// <c>GET /admin/status</c>: one document with every configured use case and deployment, this process's last 15 minutes
/// of traffic, errors, p95 latency and spend, each vendor destination's circuit, the review queue and adoption.
/// </summary>
public sealed class StatusTests
{
    [Fact]
    public async Task Status_AfterAnAnsweredAndAFailedCall_ShowsTrafficErrorsLatencyAndCircuits()
    {
        // The default vendor destination is the discard port: nothing answers there.
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => c.Resilience(maxRetries: 0)));
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."))).Status);
        Assert.NotEqual(200, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);

        var status = await admin.GetCallAsync("/admin/status");

        Assert.Equal(200, status.Status);
        var useCases = ById(status.Json["useCases"]);
        var summary = useCases["summary"];
        Assert.Equal(1, (long)summary["calls"]!);
        Assert.Equal(0, (long)summary["failed"]!);
        Assert.Equal(0.0, (double)summary["errorRate"]!);
        Assert.True((double)summary["p95LatencyMs"]! > 0);
        Assert.Equal(2, (int)summary["riskTier"]!);
        Assert.Equal(0, (int)summary["pendingReviews"]!);
        Assert.Null(summary["oldestPendingReviewAgeSeconds"]);

        var vendorChat = useCases["vendor-chat"];
        Assert.Equal(1, (long)vendorChat["calls"]!);
        Assert.Equal(1.0, (double)vendorChat["errorRate"]!);

        // A configured use case nobody called is listed, with no rate to report.
        Assert.Equal(0, (long)useCases["suspended-case"]["calls"]!);
        Assert.Null(useCases["suspended-case"]["errorRate"]);

        var deployments = ById(status.Json["deployments"]);
        Assert.Equal(1, (long)deployments["vendor"]["failed"]!);
        var destination = Assert.Single(deployments["vendor"]["destinations"]!.AsArray())!;
        Assert.Equal("vendor/primary", (string?)destination["name"]);
        Assert.Equal("closed", (string?)destination["circuit"]);
        Assert.Equal(1, (long)deployments["local"]["calls"]!);
        Assert.Empty(deployments["local"]["destinations"]!.AsArray());

        // The adoption report is still part of the document.
        Assert.NotNull(status.Json["adoption"]);
        Assert.Equal(15, (int)status.Json["live"]!["windowMinutes"]!);
    }

    [Fact]
    public async Task Metrics_ClassificationUseCase_ExportsItsLabelDriftAtZeroFromStartUp()
    {
        await using var host = await GatewayHost.StartAsync(c => c["Governance"]!["UseCases"]!["summary"]!["OutputLabels"] = new JsonArray("stable", "unstable"));
        using var scraper = host.CreateClient(key: null);

        var text = await (await scraper.GetAsync("/metrics")).Content.ReadAsStringAsync();

        Assert.Matches("(?m)^xefai_drift_psi\\{[^}]*feature=\"label\"[^}]*use_case=\"summary\"[^}]*\\} 0$", text);
        Assert.DoesNotMatch("(?m)^xefai_drift_psi\\{[^}]*feature=\"label\"[^}]*use_case=\"vendor-chat\"", text);
    }

    [Fact]
    public async Task Status_WithoutTheAdminKey_IsRefused()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();

        Assert.Equal(401, (await client.GetCallAsync("/admin/status")).Status);
    }

    private static Dictionary<string, JsonObject> ById(JsonNode? list) =>
        list!.AsArray().Select(n => n!.AsObject()).ToDictionary(o => (string)o["id"]!);
}

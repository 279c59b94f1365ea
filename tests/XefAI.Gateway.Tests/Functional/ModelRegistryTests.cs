using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Deployment lifecycles as governance sees them, and the cost of each call.</summary>
public sealed class ModelRegistryTests
{
    [Fact]
    public async Task DeprecatedDeployment_IsServedWithDeprecationAndSunsetHeadersAndCounted()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c["Models"]!["Deployments"]!["vendor"]!["Lifecycle"] = "deprecated";
            c["Models"]!["Deployments"]!["vendor"]!["SunsetDate"] = "2099-06-30";
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(200, call.Status);
        Assert.Equal("true", call.Header("Deprecation"));
        Assert.Equal("Tue, 30 Jun 2099 00:00:00 GMT", call.Header("Sunset"));
        using var scraper = host.CreateClient(key: null);
        var metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("xefai_deprecated_model_calls_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("deployment=\"vendor\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetiredDeployment_IsNeverRoutedTo_NextProviderAnswers()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c["Models"]!["Deployments"]!["vendor"]!["Lifecycle"] = "retired";
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local");
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharged home."));

        Assert.Equal(200, call.Status);
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task CandidateDeploymentOnClinicalTier_Refused403NamingTheRule()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(c =>
        {
            vendor.Configure(c);
            c["Models"]!["Deployments"]!["vendor"]!["Lifecycle"] = "candidate";
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Tier"] = 3;
        });
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(403, call.Status);
        // The gateway de-identifies, so the lifecycle rule is the one reason.
        Assert.Equal("model_lifecycle_not_allowed", (string?)call.Json["error"]!["code"]);
        Assert.Contains("candidate", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("model_lifecycle_not_allowed", record.ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task PricedDeployment_CostOfCallRecordedFromVendorUsage()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c["Models"]!["Deployments"]!["vendor"]!["InputPricePer1K"] = 0.15;
            c["Models"]!["Deployments"]!["vendor"]!["OutputPricePer1K"] = 0.6;
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        // Usage of OpenAI's example answer: 9 input and 12 output tokens.
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal((9 * 0.15 / 1000) + (12 * 0.6 / 1000), (double)record["costUsd"]!, 9);
        using var scraper = host.CreateClient(key: null);
        var metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("gen_ai_client_token_usage_bucket{", metrics, StringComparison.Ordinal);
        Assert.Contains("gen_ai_token_type=\"output\"", metrics, StringComparison.Ordinal);
        Assert.Contains("xefai_cost", metrics, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Data;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>What a risk tier imposes on a call, as the app sees it: rate limits, output caps and the BAA rule.</summary>
public sealed class TierControlsTests
{
    private const string Note = "Stable overnight. Discharged home with follow-up in one week.";

    [Fact]
    public async Task RateLimit_ThirdCallInWindow_429WithRetryAfterAuditedAndCounted()
    {
        // An hour-long window: however slow the machine, the three calls fall in one window.
        await using var host = await GatewayHost.StartAsync(c =>
            c.RiskTier(2, new JsonObject { ["RateLimit"] = new JsonObject { ["PermitLimit"] = 2, ["Window"] = "01:00:00" } }));
        using var client = host.CreateClient();
        using var other = host.CreateClient(GatewayHost.OtherClientKey);

        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", Note))).Status);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", Note))).Status);
        var third = await client.PostChatAsync(ChatBody("summary", Note));

        Assert.Equal(429, third.Status);
        var error = third.Json["error"]!;
        Assert.Equal("rate_limited", (string?)error["code"]);
        Assert.Equal("rate_limit_error", (string?)error["type"]);
        Assert.Contains("2 calls per", (string?)error["message"], StringComparison.Ordinal);
        var retryAfter = int.Parse(third.Header("Retry-After")!, CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
        Assert.Contains($"retry after {retryAfter} seconds", (string?)error["message"], StringComparison.Ordinal);
        var record = await host.GetAuditRecordAsync(third.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal("rate_limited", record.ReasonsBeforeConfiguration());
        Assert.Equal(429, (int?)record["statusCode"]);

        // Counted per app: another app calling the same use case has its own permits.
        Assert.Equal(200, (await other.PostChatAsync(ChatBody("summary", Note))).Status);

        using var scraper = host.CreateClient(key: null);
        var metrics = string.Empty;
        await AdminCalls.WaitUntilAsync(
            async () =>
            {
                metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                // Every built-in reason is listed at 0 from start-up: wait for the count, not the series.
                return System.Text.RegularExpressions.Regex.IsMatch(metrics, "(?m)^xefai_policy_denials_total\\{[^}]*reason=\"rate_limited\"[^}]*\\} [1-9]");
            },
            "the denial metric");
        Assert.Matches("(?m)^xefai_policy_denials_total\\{[^}]*reason=\"rate_limited\"[^}]*\\} 1", metrics);
    }

    [Fact]
    public async Task RateLimit_Tier4Default_ThirtyCallsPerAppThenRefused()
    {
        // The window is stretched so a slow machine cannot open a new one mid-test; the permit count is the default.
        await using var host = await GatewayHost.StartAsync(c =>
        {
            c.AddTier4UseCase("triage", "Triage", "local", "test-app");
            c.RiskTier(4, new JsonObject { ["RateLimit"] = new JsonObject { ["Window"] = "01:00:00" } });
        });
        await host.ActivateTier4Async("triage");
        using var client = host.CreateClient();

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(202, (await client.PostChatAsync(ChatBody("triage", Note))).Status);
        }

        var refused = await client.PostChatAsync(ChatBody("triage", Note));

        Assert.Equal(429, refused.Status);
        Assert.Equal("rate_limited", (string?)refused.Json["error"]!["code"]);
        Assert.Contains("30 calls per", (string?)refused.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.NotNull(refused.Header("Retry-After"));
    }

    [Fact]
    public async Task MaxTokens_RequestAboveTierCap_400AndVendorNotCalled()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.RiskTier(1, new JsonObject { ["MaxTokens"] = 100 });
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","max_tokens":500,"messages":[{"role":"user","content":"Hello"}]}""");

        Assert.Equal(400, call.Status);
        var error = call.Json["error"]!;
        Assert.Equal("max_tokens_exceeded", (string?)error["code"]);
        Assert.Equal("max_tokens", (string?)error["param"]);
        Assert.Contains("at most 100", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("max_tokens_exceeded", record.ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task MaxTokens_RequestWithoutLimit_VendorAskedForTierCap()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.RiskTier(1, new JsonObject { ["MaxTokens"] = 100 });
        }));
        using var client = host.CreateClient();

        var uncapped = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        var uncappedSent = vendor.LastRequestBody;
        var lower = await client.PostChatAsync("""{"model":"vendor-chat","max_tokens":80,"messages":[{"role":"user","content":"Hello"}]}""");

        Assert.Equal(200, uncapped.Status);
        Assert.Equal(100, (int?)uncappedSent["max_tokens"]);
        Assert.Equal(200, lower.Status);
        Assert.Equal(80, (int?)vendor.LastRequestBody["max_tokens"]);
    }

    [Theory]
    [InlineData("""{"model":"vendor-chat","max_completion_tokens":500,"messages":[{"role":"user","content":"Hello"}]}""")]
    [InlineData("""{"model":"vendor-chat","max_completion_tokens":50,"max_tokens":500,"messages":[{"role":"user","content":"Hello"}]}""")]
    [InlineData("""{"model":"vendor-chat","max_tokens":50,"max_completion_tokens":500,"messages":[{"role":"user","content":"Hello"}]}""")]
    public async Task MaxTokens_EitherLimitFieldAboveTierCap_400AndVendorNotCalled(string body)
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.RiskTier(1, new JsonObject { ["MaxTokens"] = 100 });
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(body);

        Assert.Equal(400, call.Status);
        Assert.Equal("max_tokens_exceeded", (string?)call.Json["error"]!["code"]);
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task Baa_Tier2OnVendorWithoutBaa_403DeidentificationUnavailableAndVendorNotCalled()
    {
        // A data layer that cannot de-identify: the tier's obligation is refused, never skipped.
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                vendor.Configure(c);
                c["Governance"]!["UseCases"]!["vendor-chat"]!["Tier"] = 2;
            },
            builder: WithoutDeIdentifier);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Patient Peter Chalmers, MRN 12345, asks about metformin."));

        Assert.Equal(403, call.Status);
        var error = call.Json["error"]!;
        Assert.Contains("deidentification_unavailable", (string?)error["code"], StringComparison.Ordinal);
        Assert.Contains("no BAA", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Contains("deidentification_unavailable", (string?)record["reasons"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baa_Tier2OnVendorWithBaa_Answered()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(c =>
        {
            vendor.Configure(c);
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Tier"] = 2;
            c["Models"]!["Deployments"]!["vendor"]!["Baa"] = true;
        });
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Patient asks about metformin."));

        Assert.Equal(200, call.Status);
        Assert.Equal("vendor", call.Header("X-XefAI-Provider"));
        Assert.Equal(1, vendor.CallCount);
    }

    [Fact]
    public async Task Baa_Tier2VendorWithoutBaaThenLocal_LocalAnswersAndVendorNotCalled()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                vendor.Configure(c);
                c["Governance"]!["UseCases"]!["vendor-chat"]!["Tier"] = 2;
                c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local");
            },
            builder: WithoutDeIdentifier);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", Note));

        Assert.Equal(200, call.Status);
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task Baa_Tier4OnVendorWithoutBaa_403VendorWithoutBaa()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(c =>
        {
            vendor.Configure(c);
            c.AddTier4UseCase("vendor-triage", "Vendor triage", "vendor", "test-app");
        });
        await host.ActivateTier4Async("vendor-triage");
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-triage", Note));

        Assert.Equal(403, call.Status);
        Assert.Equal("vendor_without_baa", (string?)call.Json["error"]!["code"]);
        Assert.Contains("business associate agreement", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
    }

    private static void WithoutDeIdentifier(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<IDataProtector, PassThroughDataProtector>();
}

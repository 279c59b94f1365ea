using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class GovernStepTests
{
    private readonly FakeMetrics _metrics = new();

    [Fact]
    public async Task Execute_Allowed_TheCallGetsTheTiersObligations()
    {
        var obligations = new PolicyObligations { Review = ReviewRequirement.Draft, AuditVerbatim = true, DeIdentify = true };
        var policies = new FakePolicyEngine(_ => PolicyDecision.Allow with { Obligations = obligations });
        var request = CallContexts.Chat(TestConfig.VendorChat.Id, "Hello") with { Options = new ChatOptions(MaxTokens: 200) };
        await using var call = CallContexts.Governed(request, TestConfig.VendorChat, PolicyObligations.None);

        await new GovernStep(policies, _metrics).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Same(obligations, call.Obligations);
        var asked = Assert.Single(policies.Asked);
        Assert.Same(TestConfig.VendorChat, asked.UseCase);
        Assert.Equal(TestConfig.AppId, asked.AppId);
        Assert.Equal(200, asked.RequestedMaxTokens);
        Assert.Null(asked.Deployment);
        Assert.Empty(_metrics.Denials);
    }

    [Fact]
    public async Task Execute_Denied_Refuses403WithEveryReasonAndCountsEachDenial()
    {
        var policies = new FakePolicyEngine(_ => new PolicyDecision(
        [
            new PolicyDenial("use_case_suspended", "Use case 'summary' is suspended."),
            new PolicyDenial("app_not_allowed", "App 'test-app' may not call it."),
        ]));
        await using var call = CallContexts.Governed();

        await new GovernStep(policies, _metrics).ExecuteAsync(call);

        Assert.Equal(403, call.Error?.StatusCode);
        Assert.Equal("use_case_suspended,app_not_allowed", call.Error!.Code);
        Assert.Equal("Use case 'summary' is suspended. App 'test-app' may not call it.", call.Error.Message);
        Assert.Null(call.Error.RetryAfter);
        Assert.Equal(["use_case_suspended", "app_not_allowed"], _metrics.Denials);
        Assert.Same(PolicyObligations.None, call.Obligations);
    }

    [Fact]
    public async Task Execute_QuotaSpent_Refuses429WithTheLongestWait()
    {
        var policies = new FakePolicyEngine(_ => new PolicyDecision(
        [
            new PolicyDenial("rate_limited", "Too many calls.") { RetryAfter = TimeSpan.FromSeconds(2) },
            new PolicyDenial("token_quota", "Too many tokens.") { RetryAfter = TimeSpan.FromSeconds(30) },
        ]));
        await using var call = CallContexts.Governed();

        await new GovernStep(policies, _metrics).ExecuteAsync(call);

        Assert.Equal(429, call.Error?.StatusCode);
        Assert.Equal("rate_limited,token_quota", call.Error!.Code);
        Assert.Equal(TimeSpan.FromSeconds(30), call.Error.RetryAfter);
        Assert.Equal(2, _metrics.Denials.Count);
    }

    [Fact]
    public async Task Execute_MaxTokensOverTheCap_Refuses400OnMaxTokens()
    {
        var policies = new FakePolicyEngine(_ => FakePolicyEngine.Deny("max_tokens_exceeded"));
        await using var call = CallContexts.Governed();

        await new GovernStep(policies, _metrics).ExecuteAsync(call);

        Assert.Equal(400, call.Error?.StatusCode);
        Assert.Equal("max_tokens_exceeded", call.Error!.Code);
        Assert.Equal("max_tokens", call.Error.Param);
        Assert.Equal(["max_tokens_exceeded"], _metrics.Denials);
    }

    [Fact]
    public async Task Execute_HeldTierAskedToStream_Refuses400StreamNotAllowed()
    {
        var policies = new FakePolicyEngine(_ => PolicyDecision.Allow with { Obligations = new PolicyObligations { Review = ReviewRequirement.Hold } });
        var request = CallContexts.Chat(TestConfig.Held.Id, "Hello") with { Options = new ChatOptions(Stream: true) };
        await using var call = CallContexts.Governed(request, TestConfig.Held);

        await new GovernStep(policies, _metrics).ExecuteAsync(call);

        Assert.Equal(400, call.Error?.StatusCode);
        Assert.Equal("stream_not_allowed", call.Error!.Code);
        Assert.Equal("stream", call.Error.Param);
    }

    [Fact]
    public async Task Execute_HeldTierNotStreamed_IsAllowed()
    {
        var policies = new FakePolicyEngine(_ => PolicyDecision.Allow with { Obligations = new PolicyObligations { Review = ReviewRequirement.Hold } });
        await using var call = CallContexts.Governed(CallContexts.Chat(TestConfig.Held.Id, "Hello"), TestConfig.Held);

        await new GovernStep(policies, _metrics).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal(ReviewRequirement.Hold, call.Review);
    }

    [Fact]
    public async Task Execute_TierCapsTokensAndTheAppAskedForNoLimit_CapIsSetInOptionsAndVendorBody()
    {
        var policies = new FakePolicyEngine(_ => PolicyDecision.Allow with { Obligations = new PolicyObligations { MaxTokens = 256 } });
        await using var call = CallContexts.Governed();

        await new GovernStep(policies, _metrics).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal(256, call.Request!.Options.MaxTokens);
        Assert.Equal(256, (int?)call.Request.Body!["max_tokens"]);
    }

    [Fact]
    public async Task Execute_TierCapsTokensAndTheAppSetItsOwnLimit_TheAppsLimitStands()
    {
        var policies = new FakePolicyEngine(_ => PolicyDecision.Allow with { Obligations = new PolicyObligations { MaxTokens = 256 } });
        var request = CallContexts.Chat(TestConfig.Summary.Id, "Hello") with { Options = new ChatOptions(MaxTokens: 100) };
        await using var call = CallContexts.Governed(request);

        await new GovernStep(policies, _metrics).ExecuteAsync(call);

        Assert.Equal(256, call.Obligations.MaxTokens);
        Assert.Same(request, call.Request);
        Assert.Equal(100, call.Request!.Options.MaxTokens);
        Assert.Null(call.Request.Body!["max_tokens"]);
    }

    [Fact]
    public async Task Execute_TierCapsTokensOfAnEmbeddingsCall_NothingIsCapped()
    {
        var policies = new FakePolicyEngine(_ => PolicyDecision.Allow with { Obligations = new PolicyObligations { MaxTokens = 256 } });
        var request = new GatewayRequest(TestConfig.Summary.Id, CallOperation.Embeddings);
        await using var call = CallContexts.Governed(request);

        await new GovernStep(policies, _metrics).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal(256, call.Obligations.MaxTokens);
        Assert.Same(request, call.Request);
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Plugins;
using XefAI.Gateway.Security;
using XefAI.Gateway.Tests.Functional.Plugins;
using XefAI.Integration;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Issue 8, item 2: a plugin's way in gets the governed pipeline, never a way around it. The plugin
/// (<see cref="AskIngress"/>) holds no governance, audit or vendor code; every assertion here is the pipeline's work.
/// </summary>
public sealed class PluginIngressTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Question = "Which clinic is open on Saturday?";

    [Fact]
    public void Ingress_IsFoundByThePluginScanNotRegisteredByTheTest()
    {
        Assert.Single(fixture.Host.Services.GetServices<IIngressProtocol>().OfType<AskIngress>());

        // The scan reads this assembly, so it must hold no other plugin: test doubles of plugin seams are made at run time.
        var plugins = typeof(AskIngress).Assembly.GetTypes().Where(t =>
            t is { IsClass: true, IsAbstract: false } && PluginServiceCollectionExtensions.PluginInterfaces.Any(i => i.IsAssignableFrom(t)));
        Assert.Equal([typeof(AskIngress)], plugins);
    }

    [Fact]
    public async Task Ask_GrantedUseCase_IsAnsweredThroughThePipelineWithItsCommittedRecord()
    {
        var callsBefore = fixture.Vendor.CallCount;

        var call = await AskAsync(GatewayHost.ClientKey, "vendor-chat", Question);

        Assert.Equal(200, call.Status);
        Assert.Equal("text/plain", call.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("\n\nHello there, how may I assist you today?", Encoding.UTF8.GetString(call.ResponseBody));

        // The vendor was reached once, by the pipeline, with the question as the conversation.
        Assert.Equal(callsBefore + 1, fixture.Vendor.CallCount);
        Assert.Equal(Question, (string?)fixture.Vendor.LastRequestBody["messages"]![0]!["content"]);
        Assert.Equal("gpt-4o-mini", (string?)fixture.Vendor.LastRequestBody["model"]);

        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("answered", (string?)record["decision"]);
        Assert.Equal("vendor-chat", (string?)record["useCase"]);
        Assert.Equal("test-app", (string?)record["app"]);
        Assert.Equal("vendor", (string?)record["deployment"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
        Assert.Equal(call.Header("X-XefAI-Trace-Id"), (string?)record["traceId"]);
        Assert.Equal("1", call.Header("X-XefAI-Risk-Tier"));
        Assert.Equal("vendor", call.Header("X-XefAI-Provider"));
    }

    [Theory]
    [InlineData(GatewayHost.ClientKey, "suspended-case", "test-app", "use_case_suspended")]
    [InlineData(GatewayHost.OtherClientKey, "vendor-chat", "other-app", "use_case_not_granted")]
    public async Task Ask_UseCaseTheAppMayNotCall_IsRefused403AndAudited(string key, string useCase, string app, string code)
    {
        var callsBefore = fixture.Vendor.CallCount;

        var call = await AskAsync(key, useCase, Question);

        Assert.Equal(403, call.Status);
        Assert.StartsWith(code + ": ", Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
        Assert.Equal(callsBefore, fixture.Vendor.CallCount);

        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal(code, record.ReasonsBeforeConfiguration());
        Assert.Equal(403, (int?)record["statusCode"]);
        Assert.Equal(useCase, (string?)record["useCase"]);
        Assert.Equal(app, (string?)record["app"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    [Fact]
    public async Task Ask_RequestTheAdapterCannotRead_IsRefused400AndAudited()
    {
        var call = await AskAsync(GatewayHost.ClientKey, "vendor-chat", question: null);

        Assert.Equal(400, call.Status);
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal("missing_question", record.ReasonsBeforeConfiguration());
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    [Fact]
    public async Task Ask_WithoutKey_IsRefused401WithoutAPerCallRecordAndCountedInAggregate()
    {
        var callsBefore = fixture.Vendor.CallCount;

        var call = await AskAsync(key: null, "vendor-chat", Question);

        Assert.Equal(401, call.Status);
        Assert.StartsWith("invalid_api_key: ", Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
        Assert.Null(call.Header("X-XefAI-Audit-Id"));
        var traceId = call.Header("X-XefAI-Trace-Id");
        Assert.NotNull(traceId);
        Assert.Empty(await fixture.Host.GetAuditRecordsOfTraceAsync(traceId));
        Assert.Equal(callsBefore, fixture.Vendor.CallCount);

        await fixture.Host.Services.GetRequiredService<AuthenticationFailures>().FlushAsync(all: true);
        var aggregate = Assert.Single(await fixture.Host.GetAuditRecordsOfTraceAsync(traceId));
        Assert.Equal(AuthenticationFailures.AuditDecision, (string?)aggregate["decision"]);
        Assert.StartsWith("missing_key;route:ask;count:1;", (string?)aggregate["reasons"], StringComparison.Ordinal);
    }

    private async Task<GatewayCall> AskAsync(string? key, string useCase, string? question)
    {
        using var client = fixture.Host.CreateClient(key);
        var ask = new JsonObject { ["task"] = useCase };
        if (question is not null)
        {
            ask["question"] = question;
        }

        var bytes = Encoding.UTF8.GetBytes(ask.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, AskIngress.Path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await client.SendAsync(request);
        return new GatewayCall(response, bytes, await response.Content.ReadAsByteArrayAsync());
    }
}

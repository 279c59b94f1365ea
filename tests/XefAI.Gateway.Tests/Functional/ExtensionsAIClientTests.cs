using System.ClientModel;
using System.ClientModel.Primitives;
using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A .NET app on Microsoft.Extensions.AI: <see cref="IChatClient"/> over the official SDK's chat client, with automatic
/// function invocation, pointed at the gateway. The function's result names the patient; the vendor has no BAA.
/// </summary>
public sealed class ExtensionsAIClientTests
{
    private const string ToolCall = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":null,
        "tool_calls":[{"id":"call_1","type":"function","function":{"name":"find_patient","arguments":"{\"mrn\":\"42\"}"}}]},"finish_reason":"tool_calls"}],
        "usage":{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14}}
        """;

    [Fact]
    public async Task UseFunctionInvocation_NonBaaVendor_LoopCompletesAndTheFunctionsPhiNeverReachesTheVendor()
    {
        using var vendor = new FakeVendor();
        vendor.Server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).InScenario("loop").WillSetStateTo("called")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(ToolCall));
        vendor.Server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).InScenario("loop").WhenStateIs("called")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(FakeVendor.Completion("Found the patient.")));
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        var audits = new List<string?>();
        using var http = new HttpClient(new AuditIds(audits) { InnerHandler = new HttpClientHandler() });
        var options = new OpenAIClientOptions { Endpoint = new Uri(host.Address, "/v1"), Transport = new HttpClientPipelineTransport(http) };
        using var chat = new ChatClientBuilder(new OpenAIClient(new ApiKeyCredential(GatewayHost.ClientKey), options).GetChatClient("vendor-chat").AsIChatClient())
            .UseFunctionInvocation()
            .Build();
        string? argument = null;

        var response = await chat.GetResponseAsync(
            "Who has MRN 42?",
            new ChatOptions { Tools = [AIFunctionFactory.Create(([Description("the MRN")] string mrn) => { argument = mrn; return "Maria Gonzalez, phone 617-555-0142"; }, "find_patient")] });

        Assert.Equal("Found the patient.", response.Text);
        Assert.Equal("42", argument);
        Assert.Equal(2, vendor.CallCount);
        var second = JsonNode.Parse(vendor.Server.LogEntries.ElementAt(1).RequestMessage!.Body!)!.AsObject();
        var toolMessage = second["messages"]!.AsArray().Single(m => (string?)m!["role"] == "tool")!;
        Assert.Equal("call_1", (string?)toolMessage["tool_call_id"]);
        Assert.DoesNotContain("Gonzalez", second.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("555-0142", second.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(2, audits.Count);
        foreach (var audit in audits)
        {
            Assert.Equal("answered", (string?)(await host.GetAuditRecordAsync(audit!))["decision"]);
        }
    }

    private sealed class AuditIds(List<string?> ids) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            ids.Add(response.Headers.TryGetValues("X-XefAI-Audit-Id", out var values) ? values.Single() : null);
            return response;
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Calls forwarded through YARP to an OpenAI-compatible vendor (WireMock on loopback).</summary>
public sealed class VendorForwardingTests
{
    [Fact]
    public async Task Post_VendorUseCase_ForwardsWithVendorKeyNotClientKey()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();
        var body = """{"model":"vendor-chat","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}],"temperature":0.2,"max_tokens":50,"user":"clinician-7"}""";

        var call = await client.PostChatAsync(body);

        Assert.Equal(200, call.Status);
        Assert.Equal(1, vendor.CallCount);
        var headers = vendor.LastRequestHeaders;
        Assert.Equal($"Bearer {GatewayHost.VendorKey}", headers["Authorization"].Single());
        Assert.DoesNotContain(headers.Values.SelectMany(v => v), v => v.Contains(GatewayHost.ClientKey, StringComparison.Ordinal));
        var sent = vendor.LastRequestBody;
        Assert.Equal("gpt-4o-mini", (string?)sent["model"]);
        Assert.Equal("Hello", (string?)sent["messages"]![1]!["content"]);
        Assert.Equal("system", (string?)sent["messages"]![0]!["role"]);
        Assert.Equal(0.2, (double?)sent["temperature"]);
        Assert.Equal(50, (int?)sent["max_tokens"]);
        Assert.Equal("clinician-7", (string?)sent["user"]);

        Assert.Equal("chatcmpl-123", (string?)call.Json["id"]);
        Assert.Equal("\n\nHello there, how may I assist you today?", (string?)call.Json["choices"]![0]!["message"]!["content"]);
        Assert.Equal("vendor", call.Header("X-XefAI-Provider"));
        Assert.Equal("1", call.Header("X-XefAI-Risk-Tier"));
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("openai", (string?)record["provider"]);
        Assert.Equal("gpt-4o-mini", (string?)record["model"]);
        Assert.Equal(9, (int?)record["inputTokens"]);
        Assert.Equal(12, (int?)record["outputTokens"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    [Fact]
    public async Task Post_VendorAnswers500_Returns502NamingDeploymentWithoutItsBody()
    {
        using var vendor = new FakeVendor().AnswersWith(500, """{"error":{"message":"internal detail about patient Chalmers","type":"server_error"}}""");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(502, call.Status);
        var message = (string?)call.Json["error"]!["message"];
        Assert.Contains("deployment 'vendor'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("vendor/primary", message, StringComparison.Ordinal);
        Assert.Contains("500", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Chalmers", call.Json.ToJsonString(), StringComparison.Ordinal);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("failed", (string?)record["decision"]);
        Assert.Null(call.Header("X-XefAI-Provider"));
    }

    [Theory]
    [InlineData("""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"a\ud800b"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":5,"total_tokens":10}}""")]
    // Tool calls are relayed as the vendor wrote them: writing one out again threw after the answer was accepted, a 500 with no audit record.
    [InlineData("""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_\ud800","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}""")]
    public async Task Post_VendorAnswerHoldsUnpairedSurrogateEscape_Returns502VendorInvalidResponseNot500(string answer)
    {
        using var vendor = new FakeVendor().AnswersWith(200, answer);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(502, call.Status);
        Assert.Equal("vendor_invalid_response", (string?)call.Json["error"]!["code"]);
        Assert.Contains("not valid Unicode text", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("failed", (string?)record["decision"]);
        Assert.Equal("vendor_invalid_response", record.ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task Stream_VendorChunkHoldsUnpairedSurrogateEscape_EndsWithErrorEventAndClosingRecord()
    {
        const string events = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"a\\ud800b\"},\"finish_reason\":null}]}\n\n"
            + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        using var vendor = new FakeVendor().StreamsEvents(events);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"messages":[{"role":"user","content":"Hello"}]}""");

        var body = System.Text.Encoding.UTF8.GetString(call.ResponseBody);
        Assert.Equal(200, call.Status);
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
        var lastEvent = body.TrimEnd().Split("\n\n").Last();
        Assert.Equal("vendor_stream_error", (string?)System.Text.Json.Nodes.JsonNode.Parse(lastEvent["data: ".Length..])!["error"]!["code"]);
        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(2, records.Count);
        Assert.Equal("vendor_stream_error", records[^1].ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task Post_VendorAnswersGarbage_Returns502SayingWhatWasWrong()
    {
        using var vendor = new FakeVendor().AnswersWith(200, "<html>gateway error</html>", "text/html");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(502, call.Status);
        Assert.Equal("vendor_invalid_response", (string?)call.Json["error"]!["code"]);
        Assert.Contains("JSON", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.DoesNotContain("<html>", call.Json.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_VendorUnreachable_Returns502()
    {
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa());
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(502, call.Status);
        Assert.Equal("vendor_unreachable", (string?)call.Json["error"]!["code"]);
        Assert.NotNull(call.Header("X-XefAI-Audit-Id"));
    }

    [Fact]
    public async Task Post_VendorUnreachable_MessageNamesTheDeploymentAndEachAttemptLogsOneLineWithoutStack()
    {
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa());
        using var logs = new FakeLoggerProvider();
        host.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        // The client learns which deployment failed, never the operator's cluster, destination or address.
        var message = (string)call.Json["error"]!["message"]!;
        Assert.Contains("deployment 'vendor'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", message, StringComparison.Ordinal);
        Assert.DoesNotContain("vendor/primary", message, StringComparison.Ordinal);

        // The log has them instead: one line per attempt, no stack trace, and nothing from YARP's forwarder.
        var attempts = (await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!))[^1].AttemptOutcomes();
        var records = logs.Collector.GetSnapshot();
        Assert.DoesNotContain(records, r => r.Category == "Yarp.ReverseProxy.Forwarder.HttpForwarder");
        var lines = records.Where(r => r.Category!.EndsWith(".VendorForwarder", StringComparison.Ordinal)).ToList();
        Assert.Equal(attempts.Count, lines.Count);
        Assert.All(lines, line =>
        {
            Assert.Equal(LogLevel.Warning, line.Level);
            Assert.Null(line.Exception);
            Assert.Contains("Deployment vendor: vendor destination vendor/primary (127.0.0.1)", line.Message, StringComparison.Ordinal);
            Assert.Contains("vendor_unreachable", line.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", line.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Post_VendorKeyVariableUnset_Returns503NamingTheVariableAndSendsNothing()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c["ReverseProxy"]!["Clusters"]!["vendor"]!["Metadata"]!["ApiKeyVariable"] = "XEFAI_TEST_UNSET_VARIABLE";
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(503, call.Status);
        Assert.Equal(
            "The model vendor of deployment 'vendor' needs its key in environment variable XEFAI_TEST_UNSET_VARIABLE, which is not set.",
            (string?)call.Json["error"]!["message"]);
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task Post_AzureStyleCluster_SendsApiKeyHeader()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c["ReverseProxy"]!["Clusters"]!["vendor"]!["Metadata"]!["AuthHeader"] = "api-key";
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(200, call.Status);
        Assert.Equal(GatewayHost.VendorKey, vendor.LastRequestHeaders["api-key"].Single());
        Assert.False(vendor.LastRequestHeaders.ContainsKey("Authorization"));
    }
}

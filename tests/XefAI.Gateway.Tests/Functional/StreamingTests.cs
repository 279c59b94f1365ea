using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Server-sent events end to end: relayed, translated, audited, and never a silent truncated 200.</summary>
public sealed class StreamingTests
{
    private const string Done = "data: [DONE]\n\n";

    /// <summary>OpenAI's documented streaming example, with the usage chunk include_usage adds.</summary>
    private const string OpenAIStream =
        "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there!\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n" +
        "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n" +
        Done;

    /// <summary>Anthropic's documented Messages streaming example.</summary>
    private const string AnthropicStream =
        "event: message_start\ndata: {\"type\": \"message_start\", \"message\": {\"id\": \"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\", \"type\": \"message\", \"role\": \"assistant\", \"content\": [], \"model\": \"claude-sonnet-4-5\", \"stop_reason\": null, \"stop_sequence\": null, \"usage\": {\"input_tokens\": 25, \"output_tokens\": 1}}}\n\n" +
        "event: content_block_start\ndata: {\"type\": \"content_block_start\", \"index\": 0, \"content_block\": {\"type\": \"text\", \"text\": \"\"}}\n\n" +
        "event: ping\ndata: {\"type\": \"ping\"}\n\n" +
        "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", \"text\": \"Hello\"}}\n\n" +
        "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", \"text\": \"!\"}}\n\n" +
        "event: content_block_stop\ndata: {\"type\": \"content_block_stop\", \"index\": 0}\n\n" +
        "event: message_delta\ndata: {\"type\": \"message_delta\", \"delta\": {\"stop_reason\": \"end_turn\", \"stop_sequence\":null}, \"usage\": {\"output_tokens\": 15}}\n\n" +
        "event: message_stop\ndata: {\"type\": \"message_stop\"}\n\n";

    [Fact]
    public async Task Stream_OpenAIVendor_ReadByOfficialSdkStreamingReader()
    {
        using var vendor = new FakeVendor().StreamsEvents(OpenAIStream);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        var chat = OfficialSdk.ChatClient(host, out var http);
        using var _ = http;

        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hello")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
        }

        Assert.Equal("Hello there!", text.ToString());
        var sent = vendor.LastRequestBody;
        Assert.True((bool)sent["stream"]!);
        Assert.True((bool)sent["stream_options"]!["include_usage"]!);

        // The SDK asks for usage on streams; the gateway passes the vendor's usage chunk to it.
        Assert.NotNull(usage);
        Assert.Equal(9, usage.InputTokenCount);
        Assert.Equal(2, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Stream_RawClient_EndsWithDoneAndClosingRecordHashesExactBytes()
    {
        using var vendor = new FakeVendor().StreamsEvents(OpenAIStream);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"messages":[{"role":"user","content":"Hello"}]}""");
        var body = Encoding.UTF8.GetString(call.ResponseBody);

        Assert.Equal(200, call.Status);
        Assert.Equal("text/event-stream", call.Response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(Done, body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"usage\":{", body, StringComparison.Ordinal);
        Assert.Contains("\" there!\"", body, StringComparison.Ordinal);

        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(2, records.Count);
        Assert.Equal("streaming", (string?)records[0]["decision"]);
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)records[0]["id"]);
        var closing = records[1];
        Assert.Equal("answered", (string?)closing["decision"]);
        Assert.True((bool)closing["streamed"]!);
        Assert.Equal(9, (int?)closing["inputTokens"]);
        Assert.Equal(2, (int?)closing["outputTokens"]);
        var streamedBytes = call.ResponseBody[..^Encoding.UTF8.GetByteCount(Done)];
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(streamedBytes)), (string?)closing["outputSha256"]);
        Assert.Equal(call.RequestSha256, (string?)closing["inputSha256"]);
    }

    [Fact]
    public async Task Stream_WithIncludeUsage_ClientGetsUsageChunkBeforeDone()
    {
        using var vendor = new FakeVendor().StreamsEvents(OpenAIStream);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"}]}""");

        var body = Encoding.UTF8.GetString(call.ResponseBody);
        Assert.Contains("\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}", body, StringComparison.Ordinal);
        Assert.EndsWith(Done, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_VendorCutsStreamMidway_EndsWithErrorEventNeverDone()
    {
        var cut = OpenAIStreamBefore("{\"index\":0,\"delta\":{},");
        using var vendor = new FakeVendor().StreamsEvents(cut);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"messages":[{"role":"user","content":"Hello"}]}""");
        var body = Encoding.UTF8.GetString(call.ResponseBody);

        Assert.Contains("Hello", body, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
        var lastEvent = body.TrimEnd().Split("\n\n").Last();
        var error = JsonNode.Parse(lastEvent["data: ".Length..])!["error"]!;
        Assert.Equal("vendor_stream_truncated", (string?)error["code"]);

        // Bytes had reached the client: the failure is final, never retried or fallen back.
        Assert.Equal(1, vendor.CallCount);
        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal("failed", (string?)records[^1]["decision"]);
        Assert.Equal("vendor_stream_truncated", records[^1].ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task Stream_VendorClosesAfterFinishAndUsageWithoutDone_IsComplete()
    {
        // Some OpenAI-compatible servers close the stream after its last chunk and send no [DONE].
        using var vendor = new FakeVendor().StreamsEvents(OpenAIStream[..^Done.Length]);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"}]}""");
        var body = Encoding.UTF8.GetString(call.ResponseBody);

        Assert.DoesNotContain("\"error\"", body, StringComparison.Ordinal);
        Assert.Contains("\"usage\":{\"prompt_tokens\":9", body, StringComparison.Ordinal);
        Assert.EndsWith(Done, body, StringComparison.Ordinal);
        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal("answered", (string?)records[^1]["decision"]);
        Assert.Equal(2, (int?)records[^1]["outputTokens"]);
    }

    [Fact]
    public async Task Stream_VendorClosesAfterFinishBeforeUsageWithoutDone_IsTruncated()
    {
        // The gateway asked for usage, which comes after the finish chunk: a stream closed before it may have been cut.
        var cut = OpenAIStreamBefore("],");
        using var vendor = new FakeVendor().StreamsEvents(cut);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"messages":[{"role":"user","content":"Hello"}]}""");
        var body = Encoding.UTF8.GetString(call.ResponseBody);

        Assert.Contains("\"finish_reason\":\"stop\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal("vendor_stream_truncated", records[^1].ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task Stream_AnthropicVendorClosesAfterMessageDeltaWithoutMessageStop_IsComplete()
    {
        var stream = AnthropicStream[..AnthropicStream.IndexOf("event: message_stop", StringComparison.Ordinal)];
        using var vendor = new FakeVendor().StreamsEvents(stream, "/v1/messages");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => AddAnthropic(c, vendor)));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"}]}""");
        var body = Encoding.UTF8.GetString(call.ResponseBody);

        Assert.Contains("\"finish_reason\":\"stop\"", body, StringComparison.Ordinal);
        Assert.Contains("\"completion_tokens\":15", body, StringComparison.Ordinal);
        Assert.EndsWith(Done, body, StringComparison.Ordinal);
        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal("answered", (string?)records[^1]["decision"]);
    }

    [Fact]
    public async Task Stream_AnthropicVendorClosesBeforeMessageDelta_IsTruncated()
    {
        var stream = AnthropicStream[..AnthropicStream.IndexOf("event: message_delta", StringComparison.Ordinal)];
        using var vendor = new FakeVendor().StreamsEvents(stream, "/v1/messages");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => AddAnthropic(c, vendor)));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"messages":[{"role":"user","content":"Hello"}]}""");
        var body = Encoding.UTF8.GetString(call.ResponseBody);

        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal("vendor_stream_truncated", records[^1].ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task Stream_VendorFailsBeforeFirstByte_FallsBackAndStreamsLocalAnswer()
    {
        using var vendor = new FakeVendor().AnswersWith(500, """{"error":{"type":"server_error"}}""");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 0);
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local");
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"messages":[{"role":"user","content":"Admitted for cellulitis. Discharge plan: cephalexin for seven days."}]}""");
        var body = Encoding.UTF8.GetString(call.ResponseBody);

        Assert.Equal(200, call.Status);
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
        Assert.Contains("cephalexin", body, StringComparison.Ordinal);
        Assert.Contains("chat.completion.chunk", body, StringComparison.Ordinal);
        Assert.EndsWith(Done, body, StringComparison.Ordinal);
        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(["vendor_error", "answered"], records[^1].AttemptOutcomes());
    }

    [Fact]
    public async Task Stream_AnthropicVendor_TranslatedIntoOpenAIChunks()
    {
        using var vendor = new FakeVendor().StreamsEvents(AnthropicStream, "/v1/messages");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => AddAnthropic(c, vendor)));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"vendor-chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}]}""");
        var body = Encoding.UTF8.GetString(call.ResponseBody);

        Assert.Equal(200, call.Status);
        var chunks = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e != "data: [DONE]")
            .Select(e => JsonNode.Parse(e["data: ".Length..])!)
            .ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
        var text = string.Concat(chunks.Select(c => (string?)c["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]));
        Assert.Equal("Hello!", text);
        Assert.Contains(chunks, c => (string?)c["choices"]?.AsArray().FirstOrDefault()?["finish_reason"] == "stop");
        Assert.Contains(chunks, c => (int?)c["usage"]?["completion_tokens"] == 15);
        Assert.EndsWith(Done, body, StringComparison.Ordinal);
        Assert.Equal(GatewayHost.VendorKey, vendor.LastRequestHeaders["x-api-key"].Single());
        Assert.Equal("2023-06-01", vendor.LastRequestHeaders["anthropic-version"].Single());
        Assert.Equal("Be brief.", (string?)vendor.LastRequestBody["system"]);
        Assert.True((bool)vendor.LastRequestBody["stream"]!);
    }

    [Fact]
    public async Task Post_AnthropicVendorNonStreaming_AnswerTranslatedToChatCompletion()
    {
        using var vendor = new FakeVendor();
        vendor.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/v1/messages").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(
                """{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi! My name is Claude."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"output_tokens":503}}"""));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => AddAnthropic(c, vendor)));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(GatewayCalls.ChatBody("vendor-chat", "Hello"));

        Assert.Equal(200, call.Status);
        Assert.Equal("Hi! My name is Claude.", (string?)call.Json["choices"]![0]!["message"]!["content"]);
        Assert.Equal("stop", (string?)call.Json["choices"]![0]!["finish_reason"]);
        Assert.Equal(2095, (int?)call.Json["usage"]!["prompt_tokens"]);
        Assert.Equal("claude-sonnet-4-5", (string?)vendor.LastRequestBody["model"]);
        Assert.Equal(4096, (int?)vendor.LastRequestBody["max_tokens"]);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("anthropic", (string?)record["provider"]);
        Assert.Equal(503, (int?)record["outputTokens"]);
    }

    [Fact]
    public async Task Stream_ClientDisconnectsMidStream_UpstreamRequestIsCancelled()
    {
        await using var vendor = await SlowStreamingVendor.StartAsync();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
            c["ReverseProxy"]!["Clusters"]!["vendor"]!["Destinations"]!["primary"]!["Address"] = vendor.Address + "/v1"));
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"vendor-chat","stream":true,"messages":[{"role":"user","content":"Hello"}]}""", Encoding.UTF8, "application/json"),
        };

        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64];
            Assert.True(await stream.ReadAsync(buffer) > 0);
        }

        // Disposing the response closes the client's connection; the vendor must see its request aborted.
        var aborted = await Task.WhenAny(vendor.Aborted, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.Same(vendor.Aborted, aborted);
    }

    private static void AddAnthropic(JsonObject configuration, FakeVendor vendor)
    {
        vendor.Configure(configuration, "anthropic");
        configuration["Models"]!["Deployments"]!["claude"] = new JsonObject { ["Kind"] = "anthropic", ["Cluster"] = "anthropic", ["Model"] = "claude-sonnet-4-5" };
        configuration["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("claude");
    }

    /// <summary>A vendor that streams one chunk every 100 ms for a minute and notices when its caller goes away.</summary>
    private sealed class SlowStreamingVendor : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private SlowStreamingVendor(WebApplication app) => _app = app;

        public Task Aborted => _aborted.Task;

        public string Address { get; private set; } = string.Empty;

        public static async Task<SlowStreamingVendor> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var vendor = new SlowStreamingVendor(app);
            app.MapPost("/v1/chat/completions", async (HttpContext context) =>
            {
                context.RequestAborted.Register(() => vendor._aborted.TrySetResult());
                context.Response.ContentType = "text/event-stream";
                for (var i = 0; i < 600 && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await context.Response.WriteAsync(
                        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tick \"},\"finish_reason\":null}]}\n\n",
                        CancellationToken.None);
                    await context.Response.Body.FlushAsync(CancellationToken.None);
                    await Task.Delay(100, CancellationToken.None);
                }
            });
            await app.StartAsync();
            vendor.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return vendor;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    // The sample stream up to the chunk whose choices begin with the given text: a vendor that cut it there.
    private static string OpenAIStreamBefore(string choicesStart) =>
        OpenAIStream[..OpenAIStream.IndexOf("data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[" + choicesStart, StringComparison.Ordinal)];
}

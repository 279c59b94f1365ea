using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;
using XefAI.Data;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Output checks govern streamed answers too: a stream asked of a use case a check applies to is answered whole,
/// checked, and only then released as the stream the client asked for; asking for a stream bypasses no check.
/// </summary>
public sealed class StreamOutputCheckTests
{
    private const string Forbidden = "forbidden";
    private const string Done = "data: [DONE]";

    private readonly ConcurrentQueue<string> _checked = new();

    [Fact]
    public async Task Stream_AnswerACheckDenies_Is422JsonErrorWithNoContent()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion($"This advice is {Forbidden}."));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure), builder: WithWordCheck);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(StreamBody(includeUsage: false));

        Assert.Equal(422, call.Status);
        Assert.Equal("application/json", call.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("word_in_output", (string?)call.Json["error"]!["code"]);
        Assert.DoesNotContain("advice", Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
        Assert.Equal([$"This advice is {Forbidden}."], _checked);
        AssertAskedUnstreamed(vendor.LastRequestBody);

        var record = Assert.Single(await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!));
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal(422, (int?)record["statusCode"]);
        Assert.False((bool)record["streamed"]!);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    [Fact]
    public async Task Stream_AnswerEveryCheckPasses_IsReleasedAsAValidStreamWithOneRecordHashingAllOfIt()
    {
        const string Content = "Stable overnight.\nDischarge home today.";
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion(Content));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure), builder: WithWordCheck);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(StreamBody(includeUsage: true));

        Assert.Equal(200, call.Status);
        Assert.Equal("text/event-stream", call.Response.Content.Headers.ContentType?.MediaType);
        var events = Events(call.ResponseBody);
        Assert.Equal(Done, events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!.AsObject()).ToList();
        Assert.All(chunks, c =>
        {
            Assert.Equal("chat.completion.chunk", (string?)c["object"]);
            Assert.Equal("chatcmpl-test", (string?)c["id"]);
            Assert.Equal("gpt-4o-mini-2024-07-18", (string?)c["model"]);
        });
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        var withChoices = chunks.Where(c => c["choices"]!.AsArray().Count > 0).ToList();
        Assert.Equal(Content, string.Concat(withChoices.Select(c => (string?)c["choices"]![0]!["delta"]!["content"])));
        Assert.Equal(["stop"], withChoices.Select(c => (string?)c["choices"]![0]!["finish_reason"]).Where(r => r is not null));
        Assert.Equal("stop", (string?)withChoices[^1]["choices"]![0]!["finish_reason"]);
        var usage = chunks[^1];
        Assert.Empty(usage["choices"]!.AsArray());
        Assert.Equal(10, (int?)usage["usage"]!["prompt_tokens"]);
        Assert.Equal(5, (int?)usage["usage"]!["completion_tokens"]);
        Assert.Equal([Content], _checked);
        AssertAskedUnstreamed(vendor.LastRequestBody);

        var record = Assert.Single(await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!));
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)record["id"]);
        Assert.Equal("answered", (string?)record["decision"]);
        Assert.True((bool)record["streamed"]!);
        Assert.Equal("stream_buffered:output_checks", record.ReasonsBeforeConfiguration());
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
        Assert.Equal(10, (int?)record["inputTokens"]);
    }

    [Fact]
    public async Task Stream_CheckedAnswer_ReadByOfficialSdkStreamingReader()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Hello there!"));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure), builder: WithWordCheck);
        var chat = OfficialSdk.ChatClient(host, out var http);
        using var _ = http;

        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hello")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal("Hello there!", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(5, usage.OutputTokenCount);
        AssertAskedUnstreamed(vendor.LastRequestBody);
    }

    [Fact]
    public async Task Stream_NoCheckAppliesToTheUseCase_StreamsAsTheModelAnswers()
    {
        using var vendor = new FakeVendor().StreamsEvents(
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"It is \"},\"finish_reason\":null}]}\n\n" +
            $"data: {{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{Forbidden}\"}},\"finish_reason\":\"stop\"}}]}}\n\n" +
            "data: [DONE]\n\n");
        await using var host = await GatewayHost.StartAsync(
            CoveredVendors.WithBaa(vendor.Configure),
            builder: b => b.Services.AddSingleton(WordCheck(appliesTo: u => u.Id != "vendor-chat")));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(StreamBody(includeUsage: false));

        Assert.Equal(200, call.Status);
        Assert.Equal("text/event-stream", call.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(Forbidden, Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
        Assert.True((bool)vendor.LastRequestBody["stream"]!);
        Assert.Empty(_checked);

        // Streamed as the model answers: an opening and a closing record.
        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(["streaming", "answered"], records.Select(r => (string?)r["decision"]));
    }

    [Fact]
    public async Task Stream_DeIdentifiedCheckedAnswer_IsRestoredBeforeTheCheckAndTheClient()
    {
        const string Name = "Alice Example";
        const string Token = "[NAME_1]";
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion($"{Token} is stable."));
        await using var host = await GatewayHost.StartAsync(vendor.Configure, builder: b =>
        {
            WithWordCheck(b);
            b.Services.AddSingleton<IDataProtector>(new WordProtector(Name, Token));
        });
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(StreamBody(includeUsage: false, question: $"{Name} has asthma. Summarise."));

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody;
        Assert.DoesNotContain("Alice", sent.ToJsonString(), StringComparison.Ordinal);
        AssertAskedUnstreamed(sent);
        var deltas = Events(call.ResponseBody)[..^1]
            .Select(e => (string?)JsonNode.Parse(e["data: ".Length..])!["choices"]?[0]?["delta"]?["content"]);
        Assert.Equal($"{Name} is stable.", string.Concat(deltas));
        Assert.Equal([$"{Name} is stable."], _checked);
    }

    /// <summary>The vendor was asked for one body: no <c>stream: true</c>, no stream options.</summary>
    private static void AssertAskedUnstreamed(JsonObject sent)
    {
        Assert.False(sent["stream"] is JsonValue stream && stream.GetValue<bool>(), "The vendor was asked for a stream.");
        Assert.False(sent.ContainsKey("stream_options"));
    }

    /// <summary>The data of each server-sent event, in order.</summary>
    private static string[] Events(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        Assert.EndsWith("\n\n", text, StringComparison.Ordinal);
        var events = text[..^2].Split("\n\n");
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        return events;
    }

    private static string StreamBody(bool includeUsage, string question = "How is the patient?")
    {
        var body = new JsonObject
        {
            ["model"] = "vendor-chat",
            ["stream"] = true,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question }),
        };
        if (includeUsage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body.ToJsonString();
    }

    private void WithWordCheck(WebApplicationBuilder builder) => builder.Services.AddSingleton(WordCheck(appliesTo: null));

    /// <summary>An output check that withholds any answer holding <see cref="Forbidden"/>, noting each text it reads.</summary>
    private IOutputCheck WordCheck(Func<UseCase, bool>? appliesTo) => PluginDoubles.OutputCheck(
        "no-word",
        context =>
        {
            _checked.Enqueue(context.Text);
            return context.Text.Contains(Forbidden, StringComparison.Ordinal) ? new PolicyDenial("word_in_output", "The answer holds a word this organisation withholds.") : null;
        },
        appliesTo);
}

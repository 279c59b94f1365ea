using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Models.Providers.Anthropic;
using XefAI.Models.Tests.Support;

namespace XefAI.Models.Tests.Anthropic;

/// <summary>
/// Content blocks the gateway does not translate (hostile round 28): a server tool's <c>server_tool_use</c> and its
/// <c>input_json_delta</c>s ended the stream as malformed. Such blocks, and any type Anthropic adds, are skipped and
/// logged by type; the answer's text is whole.
/// </summary>
public sealed class AnthropicUnknownBlocksTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Translate_ServerToolBlocksAndAnUnknownBlockInAStream_AreSkippedAndTheTextIsWhole()
    {
        var logger = new FakeLogger<AnthropicProvider>();
        var translator = new AnthropicProvider(new FixedTimeProvider(Now), logger).CreateStreamTranslator(Request(stream: true));
        var chunks = new List<ReadOnlyMemory<byte>>();
        ServerSentEvent[] events =
        [
            new("message_start", """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-opus-4-6","content":[],"usage":{"input_tokens":10,"output_tokens":1}}}"""),
            new("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            new("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me look. "}}"""),
            new("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            new("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}"""),
            new("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"warfarin\"}"}}"""),
            new("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            new("content_block_start", """{"type":"content_block_start","index":2,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","title":"Warfarin","url":"https://example.org/w","encrypted_content":"abc"}]}}"""),
            new("content_block_stop", """{"type":"content_block_stop","index":2}"""),
            new("content_block_start", """{"type":"content_block_start","index":3,"content_block":{"type":"future_note","text":"Noted. "}}"""),
            new("content_block_delta", """{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"Still noted. "}}"""),
            new("content_block_stop", """{"type":"content_block_stop","index":3}"""),
            new("content_block_start", """{"type":"content_block_start","index":4,"content_block":{"type":"text","text":""}}"""),
            new("content_block_delta", """{"type":"content_block_delta","index":4,"delta":{"type":"text_delta","text":"Check the INR."}}"""),
            new("content_block_stop", """{"type":"content_block_stop","index":4}"""),
            new("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":30}}"""),
            new("message_stop", """{"type":"message_stop"}"""),
        ];

        var ended = events.Select(e => translator.Translate(e, chunks)).ToList();

        Assert.True(ended[^1]);
        Assert.Equal("Let me look. Noted. Still noted. Check the INR.", translator.Result.Content);
        Assert.Equal("stop", translator.Result.FinishReason);
        var deltas = chunks.Select(c => JsonNode.Parse(c.Span)!["choices"]!.AsArray()).Where(a => a.Count > 0).Select(a => a[0]!["delta"]!).ToList();
        Assert.DoesNotContain(deltas, d => d["tool_calls"] is not null);
        var logged = logger.Collector.GetSnapshot().Select(r => r.Message).ToList();
        Assert.Equal(3, logged.Count);
        Assert.Contains("server_tool_use", logged[0], StringComparison.Ordinal);
        Assert.Contains("web_search_tool_result", logged[1], StringComparison.Ordinal);
        Assert.Contains("future_note", logged[2], StringComparison.Ordinal);
        Assert.All(logged, m => Assert.DoesNotContain("warfarin", m, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Translate_InputDeltaForABlockNeverStarted_IsStillMalformed()
    {
        var translator = new AnthropicProvider(new FixedTimeProvider(Now)).CreateStreamTranslator(Request(stream: true));
        translator.Translate(new("message_start", """{"type":"message_start","message":{"id":"msg_1","model":"m"}}"""), []);

        var exception = Assert.Throws<VendorResponseException>(() => translator.Translate(
            new("content_block_delta", """{"type":"content_block_delta","index":7,"delta":{"type":"input_json_delta","partial_json":"{}"}}"""), []));

        Assert.Contains("input_json_delta for a block that is not a tool_use", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadResponse_ServerToolBlocksAndAnUnknownBlock_AreSkippedAndTheTextIsWhole()
    {
        var logger = new FakeLogger<AnthropicProvider>();
        var provider = new AnthropicProvider(new FixedTimeProvider(Now), logger);
        const string body = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-opus-4-6","stop_reason":"end_turn",
             "usage":{"input_tokens":10,"output_tokens":30},
             "content":[
               {"type":"text","text":"Let me look. "},
               {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"warfarin"}},
               {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","title":"Warfarin","url":"https://example.org/w","encrypted_content":"abc"}]},
               {"type":"future_note","text":"Noted. "},
               {"type":"text","text":"Check the INR."}
             ]}
            """;

        var response = provider.ReadResponse(Request(stream: false), new VendorHttpResponse(200, Encoding.UTF8.GetBytes(body), "application/json"));

        var message = response.Completion["choices"]![0]!["message"]!;
        Assert.Equal("Let me look. Noted. Check the INR.", (string?)message["content"]);
        Assert.Null(message["tool_calls"]);
        Assert.Equal(3, logger.Collector.Count);
    }

    private static ModelRequest Request(bool stream) =>
        TestRequests.ForChat([new ChatMessage("user", "Hello")], new ChatOptions(Stream: stream));
}

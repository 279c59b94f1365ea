using System.Text;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.Anthropic;
using XefAI.Models.Tests.Support;

namespace XefAI.Models.Tests.Anthropic;

public sealed class AnthropicStreamTranslatorTests
{
    private const string MessageId = "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY";

    private const string Model = "claude-opus-4-20250514";

    private static readonly DateTimeOffset Now = new(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);

    // The basic streaming request's response in Anthropic's streaming documentation.
    private static readonly ServerSentEvent[] DocumentedStream =
    [
        new("message_start", """{"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-20250514", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}"""),
        new("content_block_start", """{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}"""),
        new("ping", """{"type": "ping"}"""),
        new("content_block_delta", """{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}"""),
        new("content_block_delta", """{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}"""),
        new("content_block_stop", """{"type": "content_block_stop", "index": 0}"""),
        new("message_delta", """{"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}"""),
        new("message_stop", """{"type": "message_stop"}"""),
    ];

    private static long Created => Now.ToUnixTimeSeconds();

    [Fact]
    public void Translate_DocumentedStream_EmitsOpenAIChunksAndEndsAtMessageStop()
    {
        var translator = Translator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        var ended = DocumentedStream.Select(vendorEvent => translator.Translate(vendorEvent, chunks)).ToList();

        Assert.Equal([false, false, false, false, false, false, false, true], ended);
        Assert.Equal(
            [
                $$"""{"id":"{{MessageId}}","object":"chat.completion.chunk","created":{{Created}},"model":"{{Model}}","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                $$"""{"id":"{{MessageId}}","object":"chat.completion.chunk","created":{{Created}},"model":"{{Model}}","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}""",
                $$"""{"id":"{{MessageId}}","object":"chat.completion.chunk","created":{{Created}},"model":"{{Model}}","choices":[{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}]}""",
                $$"""{"id":"{{MessageId}}","object":"chat.completion.chunk","created":{{Created}},"model":"{{Model}}","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""",
            ],
            Texts(chunks));
        Assert.Equal(new StreamedAnswer("Hello!", "stop", new TokenUsage(25, 15), Model), translator.Result);
    }

    [Fact]
    public void Translate_DocumentedStreamWithUsageRequested_AddsUsageChunkAndNullUsageElsewhere()
    {
        var translator = Translator(includeUsage: true);
        var chunks = new List<ReadOnlyMemory<byte>>();

        foreach (var vendorEvent in DocumentedStream)
        {
            translator.Translate(vendorEvent, chunks);
        }

        var parsed = chunks.Select(chunk => JsonNode.Parse(chunk.Span)!.AsObject()).ToList();
        Assert.Equal(5, parsed.Count);
        Assert.All(parsed, chunk =>
        {
            Assert.Equal(MessageId, (string?)chunk["id"]);
            Assert.Equal("chat.completion.chunk", (string?)chunk["object"]);
            Assert.Equal(Created, (long?)chunk["created"]);
            Assert.Equal(Model, (string?)chunk["model"]);
            Assert.True(chunk.ContainsKey("usage"));
        });
        Assert.All(parsed[..4], chunk => Assert.Null(chunk["usage"]));
        Assert.Equal(["", "Hello", "!", null], parsed[..4].Select(chunk => (string?)chunk["choices"]![0]!["delta"]!["content"]));
        Assert.Equal("assistant", (string?)parsed[0]["choices"]![0]!["delta"]!["role"]);
        Assert.Equal("stop", (string?)parsed[3]["choices"]![0]!["finish_reason"]);
        Assert.Equal(
            $$$"""{"id":"{{{MessageId}}}","object":"chat.completion.chunk","created":{{{Created}}},"model":"{{{Model}}}","choices":[],"usage":{"prompt_tokens":25,"completion_tokens":15,"total_tokens":40}}""",
            Encoding.UTF8.GetString(chunks[4].Span));
        Assert.Equal(new StreamedAnswer("Hello!", "stop", new TokenUsage(25, 15), Model), translator.Result);
    }

    [Fact]
    public void Translate_ToolUseStream_EmitsTextThenToolCallAndFinishesWithToolCalls()
    {
        // Shortened from the tool use example of Anthropic's streaming documentation.
        ServerSentEvent[] events =
        [
            new("message_start", """{"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-opus-4-20250514","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}"""),
            new("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            new("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check the weather:"}}"""),
            new("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            new("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}"""),
            new("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Francisco, CA\"}"}}"""),
            new("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            new("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}"""),
            new("message_stop", """{"type":"message_stop"}"""),
        ];
        var translator = Translator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        foreach (var vendorEvent in events)
        {
            translator.Translate(vendorEvent, chunks);
        }

        // The tool call used to be dropped, leaving a tool_calls finish with no tool call to run.
        Assert.Equal(5, chunks.Count);
        Assert.Equal("Okay, let's check the weather:", (string?)JsonNode.Parse(chunks[1].Span)!["choices"]![0]!["delta"]!["content"]);
        var opened = JsonNode.Parse(chunks[2].Span)!["choices"]![0]!["delta"]!["tool_calls"]![0]!;
        Assert.Equal("toolu_01T1x1fJ34qAmk2tNTrN7Up6", (string?)opened["id"]);
        Assert.Equal("get_weather", (string?)opened["function"]!["name"]);
        Assert.Equal(
            "{\"location\": \"San Francisco, CA\"}",
            (string?)JsonNode.Parse(chunks[3].Span)!["choices"]![0]!["delta"]!["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal("tool_calls", (string?)JsonNode.Parse(chunks[4].Span)!["choices"]![0]!["finish_reason"]);
        Assert.Equal(new StreamedAnswer("Okay, let's check the weather:", "tool_calls", new TokenUsage(472, 89), Model), translator.Result with { ToolCalls = null });
        Assert.Equal([new StreamedToolCall(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", "{\"location\": \"San Francisco, CA\"}")], translator.Result.ToolCalls!);
    }

    [Theory]
    [InlineData("max_tokens", "length")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("refusal", "content_filter")]
    public void Translate_MessageDeltaStopReason_EmitsMappedFinishReasonOnce(string stopReason, string finishReason)
    {
        var translator = Translator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        translator.Translate(DocumentedStream[0], chunks);
        translator.Translate(new("message_delta", $$$"""{"type":"message_delta","delta":{"stop_reason":"{{{stopReason}}}"},"usage":{"output_tokens":256}}"""), chunks);
        translator.Translate(new("message_delta", """{"type":"message_delta","delta":{},"usage":{"output_tokens":260}}"""), chunks);
        translator.Translate(DocumentedStream[^1], chunks);

        Assert.Equal(2, chunks.Count);
        Assert.Equal(finishReason, (string?)JsonNode.Parse(chunks[1].Span)!["choices"]![0]!["finish_reason"]);
        Assert.Equal(new StreamedAnswer(string.Empty, finishReason, new TokenUsage(25, 260), Model), translator.Result);
    }

    [Fact]
    public void Translate_MessageStopWithoutStopReason_StillSendsFinishChunk()
    {
        var translator = Translator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        translator.Translate(DocumentedStream[0], chunks);
        Assert.True(translator.Translate(DocumentedStream[^1], chunks));

        Assert.Equal("stop", (string?)JsonNode.Parse(chunks[^1].Span)!["choices"]![0]!["finish_reason"]);
        Assert.Equal("stop", translator.Result.FinishReason);
    }

    [Fact]
    public void Translate_UnknownEventType_IsIgnored()
    {
        var translator = Translator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        translator.Translate(DocumentedStream[0], chunks);
        Assert.False(translator.Translate(new("content_block_annotation", """{"type":"content_block_annotation","index":0}"""), chunks));

        Assert.Single(chunks);
    }

    [Fact]
    public void Translate_ErrorEvent_ThrowsWithErrorTypeOnly()
    {
        var translator = Translator(includeUsage: true);
        var chunks = new List<ReadOnlyMemory<byte>>();
        translator.Translate(DocumentedStream[0], chunks);

        var exception = Assert.Throws<VendorResponseException>(() => translator.Translate(
            new("error", """{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded while writing about Jane Doe, MRN 00123"}}"""),
            chunks));

        Assert.Equal("The model vendor reported an error mid-stream (type: overloaded_error).", exception.Message);
        Assert.DoesNotContain("Jane Doe", exception.Message, StringComparison.Ordinal);
        Assert.Null(exception.VendorStatusCode);
        Assert.Single(chunks);
    }

    [Theory]
    [InlineData("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}""", "content_block_delta before message_start")]
    [InlineData("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"}}""", "message_delta before message_start")]
    [InlineData("message_stop", """{"type":"message_stop"}""", "message_stop before message_start")]
    [InlineData("message_start", """{"type":"message_start"}""", "message_start without message")]
    [InlineData("message_start", """{"type":"message_start","message":{"type":"message","model":"m"}}""", "message_start without message.id")]
    [InlineData("content_block_delta", "event: content_block_delta", "stream event is not JSON")]
    [InlineData("message_start", "[]", "stream event is not a JSON object")]
    public void Translate_EventOfWrongShape_ThrowsNamingProblem(string eventName, string data, string reason)
    {
        var exception = Assert.Throws<VendorResponseException>(() => Translator(includeUsage: false).Translate(new(eventName, data), []));

        Assert.Equal($"The model vendor's stream is malformed: {reason}.", exception.Message);
        Assert.Null(exception.InnerException);
    }

    [Fact]
    public void Translate_TextDeltaWithUnpairedSurrogateEscape_ThrowsVendorResponseException()
    {
        var translator = Translator(includeUsage: false);
        translator.Translate(new("message_start", """{"type":"message_start","message":{"id":"msg_1","type":"message","model":"m"}}"""), []);
        translator.Translate(new("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""), []);

        // The stream loop ends a stream with its error event on VendorResponseException; an InvalidOperationException
        // cut it silently, with no closing audit record.
        var exception = Assert.Throws<VendorResponseException>(() => translator.Translate(
            new("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\ud800b"}}"""), []));

        Assert.Contains("not valid Unicode text", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_TextDeltaWithoutText_ThrowsNamingProblem()
    {
        var translator = Translator(includeUsage: false);
        translator.Translate(DocumentedStream[0], []);

        var exception = Assert.Throws<VendorResponseException>(
            () => translator.Translate(new("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta"}}"""), []));

        Assert.Equal("The model vendor's stream is malformed: text_delta without text.", exception.Message);
    }

    [Fact]
    public void Translate_SecondMessageStart_ThrowsNamingProblem()
    {
        var translator = Translator(includeUsage: false);
        translator.Translate(DocumentedStream[0], []);

        var exception = Assert.Throws<VendorResponseException>(() => translator.Translate(DocumentedStream[0], []));

        Assert.Equal("The model vendor's stream is malformed: second message_start.", exception.Message);
    }

    [Fact]
    public void Translate_DataWithoutType_FallsBackToEventName()
    {
        var translator = Translator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        translator.Translate(DocumentedStream[0], chunks);
        translator.Translate(new("content_block_delta", """{"index":0,"delta":{"type":"text_delta","text":"Hi"}}"""), chunks);

        Assert.Equal("Hi", translator.Result.Content);
        Assert.Equal(2, chunks.Count);
    }

    [Fact]
    public void Translate_TextWithNonAsciiAndQuotes_IsWrittenUnescapedButValid()
    {
        var translator = Translator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        translator.Translate(DocumentedStream[0], chunks);
        translator.Translate(new("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Ödem \"2+\" <li>"}}"""), chunks);

        var text = Encoding.UTF8.GetString(chunks[1].Span);
        Assert.Contains("Ödem", text, StringComparison.Ordinal);
        Assert.Equal("Ödem \"2+\" <li>", (string?)JsonNode.Parse(text)!["choices"]![0]!["delta"]!["content"]);
    }

    private static AnthropicStreamTranslator Translator(bool includeUsage) => new(
        TestRequests.ForChat([new("user", "Hello")], new ChatOptions(Stream: true, IncludeUsage: includeUsage)),
        new FixedTimeProvider(Now));

    private static List<string> Texts(IEnumerable<ReadOnlyMemory<byte>> chunks) =>
        chunks.Select(chunk => Encoding.UTF8.GetString(chunk.Span)).ToList();
}

using System.Text;
using XefAI.Models.Providers.OpenAI;

namespace XefAI.Models.Tests.OpenAI;

public sealed class OpenAIStreamTranslatorTests
{
    // The streamed example of OpenAI's Chat Completions API reference, as sent with stream_options.include_usage:
    // every chunk carries "usage": null and a usage chunk with empty choices precedes [DONE].
    private static readonly string[] DocumentedStream =
    [
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{"content":" there, Ödem ≥ 2+"},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""",
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}""",
    ];

    [Fact]
    public void Translate_DocumentedStreamWithUsageRequested_PassesEveryChunkThroughUnchanged()
    {
        var translator = new OpenAIStreamTranslator(includeUsage: true);
        var chunks = new List<ReadOnlyMemory<byte>>();

        var ended = DocumentedStream.Select(data => translator.Translate(new ServerSentEvent(null, data), chunks)).ToList();
        var endedAtDone = translator.Translate(new ServerSentEvent(null, "[DONE]"), chunks);

        Assert.All(ended, Assert.False);
        Assert.True(endedAtDone);
        Assert.Equal(DocumentedStream, chunks.Select(chunk => Encoding.UTF8.GetString(chunk.Span)));
        Assert.Equal(new StreamedAnswer("Hello there, Ödem ≥ 2+", "stop", new TokenUsage(9, 12), "gpt-4o-mini"), translator.Result);
    }

    [Fact]
    public void Translate_EventsAsTheReadersBytes_PassesTheVerySameBytesOnAndReadsTheSameAnswer()
    {
        var translator = new OpenAIStreamTranslator(includeUsage: true);
        var chunks = new List<ReadOnlyMemory<byte>>();
        var events = DocumentedStream.Select(data => new ServerSentEvent(null, (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(data))).ToList();

        var ended = events.Select(e => translator.Translate(e, chunks)).ToList();
        var endedAtDone = translator.Translate(new ServerSentEvent(null, (ReadOnlyMemory<byte>)"[DONE]\r\n"u8.ToArray()), chunks);

        Assert.All(ended, Assert.False);
        Assert.True(endedAtDone);
        Assert.Equal(events.Count, chunks.Count);
        Assert.All(events.Zip(chunks), pair => Assert.True(pair.First.Utf8Data.Span == pair.Second.Span, "a chunk was copied"));
        Assert.Equal(new StreamedAnswer("Hello there, Ödem ≥ 2+", "stop", new TokenUsage(9, 12), "gpt-4o-mini"), translator.Result);
    }

    [Fact]
    public void Translate_ToolCallDeltas_TheResultHoldsEachCallWithItsArgumentsJoined()
    {
        // Two parallel tool calls as OpenAI streams them: a call's first delta names it, later ones carry its arguments.
        string[] stream =
        [
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"lookup","arguments":""}}]},"finish_reason":null}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"mrn\":"}}]},"finish_reason":null}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"notify","arguments":"{}"}}]},"finish_reason":null}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"12\"}"}}]},"finish_reason":null}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
        ];
        var translator = new OpenAIStreamTranslator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        foreach (var data in stream)
        {
            translator.Translate(new ServerSentEvent(null, data), chunks);
        }

        Assert.Equal(stream, chunks.Select(chunk => Encoding.UTF8.GetString(chunk.Span)));
        Assert.Equal("tool_calls", translator.Result.FinishReason);
        Assert.Equal(
            [new StreamedToolCall(0, "call_a", "lookup", """{"mrn":"12"}"""), new StreamedToolCall(1, "call_b", "notify", "{}")],
            translator.Result.ToolCalls!);
    }

    [Fact]
    public void Translate_BytesThatAreNotWellFormedUtf8_AreReadAsTextWithReplacementCharacters()
    {
        var translator = new OpenAIStreamTranslator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();
        byte[] data = [.. """{"choices":[{"index":0,"delta":{"content":"a"""u8, 0xC3, .. """b"}}]}"""u8];

        translator.Translate(new ServerSentEvent(null, (ReadOnlyMemory<byte>)data), chunks);

        Assert.Equal("a\uFFFDb", translator.Result.Content);
        Assert.Equal("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\uFFFDb\"}}]}", Encoding.UTF8.GetString(Assert.Single(chunks).Span));
    }

    [Fact]
    public void ServerSentEvent_MadeFromTextOrFromBytes_IsEqualWhenNameAndDataAre()
    {
        var fromText = new ServerSentEvent("delta", "Ödem ≥ 2+");
        var fromBytes = new ServerSentEvent("delta", (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes("Ödem ≥ 2+"));

        Assert.Equal(fromText, fromBytes);
        Assert.Equal(fromText.GetHashCode(), fromBytes.GetHashCode());
        Assert.Equal("Ödem ≥ 2+", fromBytes.Data);
        Assert.True(fromBytes.HasUtf8Data);
        Assert.False(fromText.HasUtf8Data);
        Assert.NotEqual(fromText, new ServerSentEvent("other", "Ödem ≥ 2+"));
        Assert.NotEqual(fromBytes, new ServerSentEvent("delta", (ReadOnlyMemory<byte>)"Odem"u8.ToArray()));
    }

    [Fact]
    public void Translate_UsageNotRequested_HoldsBackOnlyTheUsageChunkButRecordsUsage()
    {
        var translator = new OpenAIStreamTranslator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        foreach (var data in DocumentedStream)
        {
            translator.Translate(new ServerSentEvent(null, data), chunks);
        }

        Assert.Equal(DocumentedStream[..4], chunks.Select(chunk => Encoding.UTF8.GetString(chunk.Span)));
        Assert.Equal(new TokenUsage(9, 12), translator.Result.Usage);
        Assert.Equal(21, translator.Result.Usage!.TotalTokens);
    }

    [Theory]
    [InlineData("""{"id":"cmpl-9","object":"chat.completion.chunk","model":"llama-3.1-8b","choices":null,"usage":{"prompt_tokens":30,"completion_tokens":4,"total_tokens":34}}""")]
    [InlineData("""{"id":"cmpl-9","object":"chat.completion.chunk","model":"llama-3.1-8b","usage":{"prompt_tokens":30,"completion_tokens":4,"total_tokens":34}}""")]
    public void Translate_UsageChunkWithNullOrNoChoices_IsTreatedAsUsageChunk(string data)
    {
        var translator = new OpenAIStreamTranslator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        translator.Translate(new ServerSentEvent(null, data), chunks);

        Assert.Empty(chunks);
        Assert.Equal(new TokenUsage(30, 4), translator.Result.Usage);
        Assert.Equal("llama-3.1-8b", translator.Result.Model);
    }

    [Fact]
    public void Translate_UsageOnFinalChoiceChunk_PassesChunkAndRecordsUsage()
    {
        const string Data = """{"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}""";
        var translator = new OpenAIStreamTranslator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        translator.Translate(new ServerSentEvent(null, Data), chunks);

        Assert.Equal(Data, Encoding.UTF8.GetString(Assert.Single(chunks).Span));
        Assert.Equal(new StreamedAnswer(string.Empty, "length", new TokenUsage(5, 7), "m"), translator.Result);
    }

    [Fact]
    public void Translate_SeveralChoices_AssemblesTheFirstOnly()
    {
        var translator = new OpenAIStreamTranslator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        translator.Translate(new ServerSentEvent(null, """{"choices":[{"index":1,"delta":{"content":"B"},"finish_reason":null},{"index":0,"delta":{"content":"A"},"finish_reason":null}]}"""), chunks);
        translator.Translate(new ServerSentEvent(null, """{"choices":[{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"length"}]}"""), chunks);

        Assert.Equal(2, chunks.Count);
        Assert.Equal("A", translator.Result.Content);
        Assert.Equal("stop", translator.Result.FinishReason);
    }

    [Theory]
    [InlineData(
        """{"error":{"message":"The server had an error while answering about patient Jane Doe, MRN 00123.","type":"server_error","param":null,"code":null}}""",
        "The model vendor reported an error mid-stream (type: server_error).")]
    [InlineData(
        """{"error":{"object":"error","message":"This model's maximum context length is 8192 tokens: Jane Doe, MRN 00123","type":"BadRequestError","param":null,"code":400}}""",
        "The model vendor reported an error mid-stream (type: BadRequestError, code: 400).")]
    [InlineData(
        """{"error":{"message":"content filtered for Jane Doe, MRN 00123","code":"content_filter"}}""",
        "The model vendor reported an error mid-stream (code: content_filter).")]
    [InlineData(
        """{"error":"Jane Doe, MRN 00123 overloaded"}""",
        "The model vendor reported an error mid-stream.")]
    public void Translate_ErrorEvent_ThrowsWithTypeAndCodeOnly(string data, string expected)
    {
        var translator = new OpenAIStreamTranslator(includeUsage: true);
        var chunks = new List<ReadOnlyMemory<byte>>();

        var exception = Assert.Throws<VendorResponseException>(() => translator.Translate(new ServerSentEvent(null, data), chunks));

        Assert.Equal(expected, exception.Message);
        Assert.DoesNotContain("Jane Doe", exception.Message, StringComparison.Ordinal);
        Assert.Null(exception.VendorStatusCode);
        Assert.Empty(chunks);
    }

    [Theory]
    [InlineData("<html>502 Bad Gateway</html>", "stream event is not JSON")]
    [InlineData("""{"id":"chatcmpl-1","choices":[""", "stream event is not JSON")]
    [InlineData("[1, 2]", "stream event is not a JSON object")]
    [InlineData("\"Jane Doe\"", "stream event is not a JSON object")]
    public void Translate_DataNotAChunk_ThrowsNamingProblem(string data, string reason)
    {
        var translator = new OpenAIStreamTranslator(includeUsage: false);

        var exception = Assert.Throws<VendorResponseException>(() => translator.Translate(new ServerSentEvent(null, data), []));

        Assert.Equal($"The model vendor's stream is malformed: {reason}.", exception.Message);
        Assert.Null(exception.InnerException);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n")]
    public void Translate_EmptyData_EmitsNothingAndDoesNotEnd(string data)
    {
        var translator = new OpenAIStreamTranslator(includeUsage: false);
        var chunks = new List<ReadOnlyMemory<byte>>();

        Assert.False(translator.Translate(new ServerSentEvent(null, data), chunks));
        Assert.Empty(chunks);
        Assert.Equal(new StreamedAnswer(string.Empty, null, null, null), translator.Result);
    }
}

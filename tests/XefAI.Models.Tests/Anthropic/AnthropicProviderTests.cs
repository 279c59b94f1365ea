using System.Text;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.Anthropic;
using XefAI.Models.Tests.Support;

namespace XefAI.Models.Tests.Anthropic;

public sealed class AnthropicProviderTests
{
    // The example response of Anthropic's Messages API reference.
    private const string DocumentedResponse = """
        {
          "content": [
            {
              "text": "Hi! My name is Claude.",
              "type": "text"
            }
          ],
          "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
          "model": "claude-sonnet-4-5-20250929",
          "role": "assistant",
          "stop_reason": "end_turn",
          "stop_sequence": null,
          "type": "message",
          "usage": {
            "input_tokens": 2095,
            "output_tokens": 503
          }
        }
        """;

    private static readonly DateTimeOffset Now = new(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);

    private static readonly VendorEndpoint AnthropicEndpoint =
        new("anthropic/primary", "sk-ant-test-123", new Dictionary<string, string>());

    private static readonly ChatMessage[] Conversation =
    [
        new("system", "You draft discharge summaries."),
        new("developer", "Write in plain language."),
        new("user", "Summarize the stay."),
        new("user", "Patient: Ödem beider Beine, 2+ pitting edema."),
        new("assistant", "Which section first?"),
        new("assistant", string.Empty),
        new("tool", """{"labs":"normal"}""", "lookup_labs"),
        new("user", "Start with labs."),
    ];

    private readonly AnthropicProvider _provider = new(new FixedTimeProvider(Now));

    [Fact]
    public void Kind_IsAnthropic() => Assert.Equal("anthropic", _provider.Kind);

    [Fact]
    public void CreateRequest_Conversation_PostsMessagesBodyWithSystemAndMergedTurns()
    {
        var request = TestRequests.ForChat(
            Conversation,
            new ChatOptions(Temperature: 0.2, MaxTokens: 256, Stop: ["END"], User: "clinician-7"));

        var vendorRequest = _provider.CreateRequest(request, AnthropicEndpoint);

        Assert.Equal("messages", vendorRequest.RelativePath);
        Assert.Equal("application/json", vendorRequest.ContentType);
        Assert.Equal(
            string.Concat(
                """{"model":"claude-sonnet-4-5-20250929","system":"You draft discharge summaries.\n\nWrite in plain language.",""",
                """ "messages":[{"role":"user","content":"Summarize the stay.\n\nPatient: Ödem beider Beine, 2+ pitting edema."},""".TrimStart(),
                """{"role":"assistant","content":"Which section first?"},""",
                """{"role":"user","content":"Tool result: {\"labs\":\"normal\"}\n\nStart with labs."}],""",
                """ "max_tokens":256,"temperature":0.2,"stop_sequences":["END"],"metadata":{"user_id":"clinician-7"}}""".TrimStart()),
            Encoding.UTF8.GetString(vendorRequest.Body.Span));
    }

    [Fact]
    public void CreateRequest_Conversation_TranslatesFieldByField()
    {
        var request = TestRequests.ForChat(Conversation, new ChatOptions(MaxTokens: 256));

        var body = BodyOf(_provider.CreateRequest(request, AnthropicEndpoint));

        Assert.Equal(["model", "system", "messages", "max_tokens"], body.Select(property => property.Key));
        Assert.Equal("claude-sonnet-4-5-20250929", (string?)body["model"]);
        Assert.Equal("You draft discharge summaries.\n\nWrite in plain language.", (string?)body["system"]);
        var messages = body["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(message => (string?)message!["role"]));
        Assert.Equal("Summarize the stay.\n\nPatient: Ödem beider Beine, 2+ pitting edema.", (string?)messages[0]!["content"]);
        Assert.Equal("Which section first?", (string?)messages[1]!["content"]);
        Assert.Equal("Tool result: {\"labs\":\"normal\"}\n\nStart with labs.", (string?)messages[2]!["content"]);
        Assert.Equal(256, (int?)body["max_tokens"]);
    }

    [Fact]
    public void CreateRequest_NoSystemMessage_OmitsSystem()
    {
        var body = BodyOf(_provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")]), AnthropicEndpoint));

        Assert.False(body.ContainsKey("system"));
        Assert.Equal("""[{"role":"user","content":"Hello"}]""", body["messages"]!.ToJsonString());
    }

    [Fact]
    public void CreateRequest_AssistantSpeaksFirst_KeepsTheTurnsAsTheyAre()
    {
        // The Messages API reference asks for alternating turns, not for a user turn first.
        var request = TestRequests.ForChat([new("system", "Be brief."), new("assistant", "How can I help?"), new("user", "Summarize.")]);

        var body = BodyOf(_provider.CreateRequest(request, AnthropicEndpoint));

        Assert.Equal(
            """[{"role":"assistant","content":"How can I help?"},{"role":"user","content":"Summarize."}]""",
            body["messages"]!.ToJsonString());
    }

    [Fact]
    public void CreateRequest_FinalAssistantPrefillWithTrailingSpace_TrimsIt()
    {
        var request = TestRequests.ForChat([new("user", "Name the diagnosis."), new("assistant", "The diagnosis is ")]);

        var body = BodyOf(_provider.CreateRequest(request, AnthropicEndpoint));

        Assert.Equal("The diagnosis is", (string?)body["messages"]![1]!["content"]);
    }

    [Fact]
    public void CreateRequest_NoMaxTokensNoMetadata_SendsDefault4096()
    {
        var body = BodyOf(_provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")]), AnthropicEndpoint));

        Assert.Equal(4096, (int?)body["max_tokens"]);
    }

    [Fact]
    public void CreateRequest_NoMaxTokensWithMetadataDefault_SendsMetadataDefault()
    {
        var endpoint = AnthropicEndpoint with { Metadata = new Dictionary<string, string> { ["DefaultMaxTokens"] = "1024" } };

        var body = BodyOf(_provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")]), endpoint));

        Assert.Equal(1024, (int?)body["max_tokens"]);
    }

    [Fact]
    public void CreateRequest_ClientMaxTokens_WinsOverMetadataDefault()
    {
        var endpoint = AnthropicEndpoint with { Metadata = new Dictionary<string, string> { ["DefaultMaxTokens"] = "1024" } };

        var body = BodyOf(_provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")], new ChatOptions(MaxTokens: 300)), endpoint));

        Assert.Equal(300, (int?)body["max_tokens"]);
    }

    [Fact]
    public void CreateRequest_OnlySystemOrEmptyMessages_RefusedNamingMessagesNotSentEmpty()
    {
        var systemOnly = Assert.Throws<UnsupportedRequestException>(
            () => _provider.CreateRequest(TestRequests.ForChat([new("system", "Be brief."), new("developer", "Answer in English.")]), AnthropicEndpoint));
        var emptyUser = Assert.Throws<UnsupportedRequestException>(
            () => _provider.CreateRequest(TestRequests.ForChat([new("system", "Be brief."), new("user", "")]), AnthropicEndpoint));

        Assert.Equal("messages", systemOnly.Param);
        Assert.Contains("user or assistant message", systemOnly.Message, StringComparison.Ordinal);
        Assert.Equal("messages", emptyUser.Param);
    }

    [Theory]
    [InlineData("many")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1e3")]
    public void CreateRequest_MetadataDefaultNotAPositiveNumber_ThrowsNamingEndpoint(string configured)
    {
        var endpoint = AnthropicEndpoint with { Metadata = new Dictionary<string, string> { ["DefaultMaxTokens"] = configured } };

        var exception = Assert.Throws<InvalidOperationException>(
            () => _provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")]), endpoint));

        Assert.Equal(
            $"Endpoint anthropic/primary: metadata DefaultMaxTokens is '{configured}', not a positive whole number.",
            exception.Message);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.7, 0.7)]
    [InlineData(1.0, 1.0)]
    [InlineData(1.5, 1.0)]
    [InlineData(2.0, 1.0)]
    public void CreateRequest_Temperature_IsClampedToAnthropicsRange(double clientTemperature, double sent)
    {
        var request = TestRequests.ForChat([new("user", "Hello")], new ChatOptions(Temperature: clientTemperature));

        var body = BodyOf(_provider.CreateRequest(request, AnthropicEndpoint));

        Assert.Equal(sent, (double?)body["temperature"]);
        Assert.False(body.ContainsKey("top_p"));
    }

    [Fact]
    public void CreateRequest_TopPOnly_SendsTopP()
    {
        var body = BodyOf(_provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")], new ChatOptions(TopP: 0.9)), AnthropicEndpoint));

        Assert.Equal(0.9, (double?)body["top_p"]);
        Assert.False(body.ContainsKey("temperature"));
    }

    [Fact]
    public void CreateRequest_TemperatureAndTopP_SendsTemperatureOnly()
    {
        var request = TestRequests.ForChat([new("user", "Hello")], new ChatOptions(Temperature: 0.3, TopP: 0.9));

        var body = BodyOf(_provider.CreateRequest(request, AnthropicEndpoint));

        Assert.Equal(0.3, (double?)body["temperature"]);
        Assert.False(body.ContainsKey("top_p"));
    }

    [Fact]
    public void CreateRequest_Stop_SendsStopSequences()
    {
        var request = TestRequests.ForChat([new("user", "Hello")], new ChatOptions(Stop: ["END", "\n\nHuman:"]));

        var body = BodyOf(_provider.CreateRequest(request, AnthropicEndpoint));

        Assert.Equal("""["END","\n\nHuman:"]""", body["stop_sequences"]!.ToJsonString());
        Assert.False(body.ContainsKey("stop"));
    }

    [Fact]
    public void CreateRequest_EmptyStopList_SendsNoStopSequences()
    {
        var body = BodyOf(_provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")], new ChatOptions(Stop: [])), AnthropicEndpoint));

        Assert.False(body.ContainsKey("stop_sequences"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CreateRequest_Stream_SendsStreamOnlyWhenStreaming(bool stream)
    {
        var request = TestRequests.ForChat([new("user", "Hello")], new ChatOptions(Stream: stream, IncludeUsage: stream));

        var body = BodyOf(_provider.CreateRequest(request, AnthropicEndpoint));

        Assert.Equal(stream, body.ContainsKey("stream"));
        Assert.Equal(stream ? true : null, (bool?)body["stream"]);
        Assert.False(body.ContainsKey("stream_options"));
    }

    [Fact]
    public void CreateRequest_Key_SendsApiKeyAndDefaultVersionHeaders()
    {
        var vendorRequest = _provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")]), AnthropicEndpoint);

        Assert.Equal(
            [new("x-api-key", "sk-ant-test-123"), new("anthropic-version", "2023-06-01")],
            vendorRequest.Headers);
    }

    [Fact]
    public void CreateRequest_VersionMetadata_OverridesVersionHeader()
    {
        var endpoint = AnthropicEndpoint with { Metadata = new Dictionary<string, string> { ["AnthropicVersion"] = "2024-10-22" } };

        var vendorRequest = _provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")]), endpoint);

        Assert.Equal(
            [new("x-api-key", "sk-ant-test-123"), new("anthropic-version", "2024-10-22")],
            vendorRequest.Headers);
    }

    [Fact]
    public void CreateRequest_NoKey_SendsVersionHeaderOnly()
    {
        var vendorRequest = _provider.CreateRequest(TestRequests.ForChat([new("user", "Hello")]), AnthropicEndpoint with { ApiKey = null });

        var header = Assert.Single(vendorRequest.Headers);
        Assert.Equal(new("anthropic-version", "2023-06-01"), header);
    }

    [Fact]
    public void ReadResponse_AnthropicDocumentedExample_ReturnsOpenAICompletion()
    {
        var response = _provider.ReadResponse(TestRequests.ForChat([new("user", "Hello")]), Ok(DocumentedResponse));

        Assert.Equal("claude-sonnet-4-5-20250929", response.Model);
        Assert.Equal("Hi! My name is Claude.", response.Content);
        Assert.Equal("stop", response.FinishReason);
        Assert.Equal(new TokenUsage(2095, 503), response.Usage);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""
                {
                  "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
                  "object": "chat.completion",
                  "created": {{Now.ToUnixTimeSeconds()}},
                  "model": "claude-sonnet-4-5-20250929",
                  "choices": [ { "index": 0, "message": { "role": "assistant", "content": "Hi! My name is Claude." }, "finish_reason": "stop" } ],
                  "usage": { "prompt_tokens": 2095, "completion_tokens": 503, "total_tokens": 2598 }
                }
                """),
            response.Completion));
        Assert.Equal(1736935200, (long?)response.Completion["created"]);
    }

    [Theory]
    [InlineData("\"end_turn\"", "stop")]
    [InlineData("\"stop_sequence\"", "stop")]
    [InlineData("\"max_tokens\"", "length")]
    [InlineData("\"tool_use\"", "tool_calls")]
    [InlineData("\"refusal\"", "content_filter")]
    [InlineData("\"model_context_window_exceeded\"", "length")]
    [InlineData("\"pause_turn\"", "stop")]
    [InlineData("\"a_reason_added_later\"", "stop")]
    [InlineData("null", "stop")]
    public void ReadResponse_StopReason_MapsToOpenAIFinishReason(string stopReason, string finishReason)
    {
        var body = $$"""
            { "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
              "content": [ { "type": "text", "text": "Hi" } ], "stop_reason": {{stopReason}}, "usage": { "input_tokens": 1, "output_tokens": 1 } }
            """;

        var response = _provider.ReadResponse(TestRequests.ForChat([new("user", "Hello")]), Ok(body));

        Assert.Equal(finishReason, response.FinishReason);
        Assert.Equal(finishReason, (string?)response.Completion["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public void ReadResponse_SeveralBlocks_JoinsTextBlocksAndSkipsOthers()
    {
        const string Body = """
            { "id": "msg_2", "type": "message", "role": "assistant",
              "content": [
                { "type": "thinking", "thinking": "Edema grade first.", "signature": "sig" },
                { "type": "text", "text": "Bilateral edema, " },
                { "type": "text", "text": "grade 2+.", "citations": null },
                { "type": "tool_use", "id": "toolu_1", "name": "lookup_labs", "input": {} }
              ],
              "stop_reason": "tool_use" }
            """;

        var response = _provider.ReadResponse(TestRequests.ForChat([new("user", "Hello")]), Ok(Body));

        Assert.Equal("Bilateral edema, grade 2+.", response.Content);
        Assert.Equal("tool_calls", response.FinishReason);
        Assert.Equal("claude-sonnet-4-5-20250929", response.Model);
        Assert.Null(response.Usage);
        Assert.False(response.Completion.ContainsKey("usage"));
    }

    [Fact]
    public void ReadResponse_EmptyContent_ReturnsEmptyText()
    {
        const string Body = """{ "id": "msg_3", "type": "message", "content": [], "stop_reason": "end_turn", "usage": { "input_tokens": 12, "output_tokens": 0 } }""";

        var response = _provider.ReadResponse(TestRequests.ForChat([new("user", "Hello")]), Ok(Body));

        Assert.Equal(string.Empty, response.Content);
        Assert.Equal(new TokenUsage(12, 0), response.Usage);
    }

    [Theory]
    [InlineData("", "empty body")]
    [InlineData(" \r\n ", "empty body")]
    [InlineData("<html><body>Bad gateway</body></html>", "not JSON")]
    [InlineData("""{ "id": "msg_1", "content": [ """, "not JSON")]
    [InlineData("null", "not a JSON object")]
    [InlineData("""[ { "type": "text", "text": "Hi" } ]""", "not a JSON object")]
    [InlineData("""{ "id": "msg_1", "content": [] }""", "type missing")]
    [InlineData("""{ "type": "error", "error": { "type": "overloaded_error", "message": "Overloaded" } }""", "type is \"error\", not \"message\"")]
    [InlineData("""{ "type": "Patient Jane Doe", "content": [] }""", "type is not \"message\"")]
    [InlineData("""{ "type": 7, "content": [] }""", "type is not \"message\"")]
    [InlineData("""{ "type": "message", "content": [] }""", "id missing")]
    [InlineData("""{ "type": "message", "id": 42, "content": [] }""", "id is not a string")]
    [InlineData("""{ "type": "message", "id": "msg_1" }""", "content missing")]
    [InlineData("""{ "type": "message", "id": "msg_1", "content": "Hi" }""", "content is not an array")]
    [InlineData("""{ "type": "message", "id": "msg_1", "content": [ "Hi" ] }""", "content[0] is not an object")]
    [InlineData("""{ "type": "message", "id": "msg_1", "content": [ { "type": "text", "text": "Hi" }, { "type": "text" } ] }""", "content[1].text is not a string")]
    [InlineData("""{ "type": "message", "id": "msg_1", "content": [ { "type": "text", "text": [ "Hi" ] } ] }""", "content[0].text is not a string")]
    public void ReadResponse_BodyNotAMessage_ThrowsNamingProblem(string body, string reason)
    {
        var exception = Assert.Throws<VendorResponseException>(
            () => _provider.ReadResponse(TestRequests.ForChat([new("user", "Hello")]), Ok(body)));

        Assert.Equal($"The model vendor's answer is not an Anthropic message: {reason}.", exception.Message);
        Assert.Null(exception.VendorStatusCode);
        Assert.Null(exception.InnerException);
    }

    [Theory]
    [InlineData("""{ "type": "message", "id": "msg_1", "content": [ { "type": "text", "text": "a\ud800b" } ], "stop_reason": "end_turn" }""")]
    [InlineData("""{ "type": "message", "id": "msg_\udc00", "content": [ { "type": "text", "text": "Hi" } ], "stop_reason": "end_turn" }""")]
    [InlineData("""{ "type": "message", "id": "msg_1", "content": [ { "type": "tool_use", "id": "tu_1", "name": "f", "input": { "a": "x\ud800y" } } ], "stop_reason": "tool_use" }""")]
    public void ReadResponse_StringWithUnpairedSurrogateEscape_ThrowsVendorResponseExceptionNotInvalidOperation(string body)
    {
        // Valid JSON, but not text: System.Text.Json's InvalidOperationException used to escape as a 500.
        var exception = Assert.Throws<VendorResponseException>(
            () => _provider.ReadResponse(TestRequests.ForChat([new("user", "Hello")]), Ok(body)));

        Assert.Contains("not valid Unicode text", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadResponse_BodyWithUtf8Bom_IsRead()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(DocumentedResponse)).ToArray();

        var response = _provider.ReadResponse(TestRequests.ForChat([new("user", "Hello")]), new VendorHttpResponse(200, body, "application/json"));

        Assert.Equal("msg_013Zva2CMHLNnXjNJJKqJ2EF", (string?)response.Completion["id"]);
    }

    [Theory]
    [InlineData(
        529,
        """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded while summarizing Jane Doe, MRN 00123"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}""",
        "The model vendor answered HTTP 529 (type: overloaded_error).")]
    [InlineData(
        400,
        """{"type":"error","error":{"type":"invalid_request_error","message":"messages.0: Patient Jane Doe, MRN 00123, text is too long"}}""",
        "The model vendor answered HTTP 400 (type: invalid_request_error).")]
    [InlineData(
        429,
        """{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your rate limit."}}""",
        "The model vendor answered HTTP 429 (type: rate_limit_error).")]
    [InlineData(502, "<html><body>502 Bad Gateway</body></html>", "The model vendor answered HTTP 502.")]
    [InlineData(500, """{"type":"error","error":{"type":"Jane Doe has sepsis","message":"x"}}""", "The model vendor answered HTTP 500.")]
    public void ReadResponse_ErrorStatus_NamesStatusAndErrorTypeButNotVendorMessage(int status, string body, string expected)
    {
        var exception = Assert.Throws<VendorResponseException>(
            () => _provider.ReadResponse(TestRequests.ForChat([new("user", "Hello")]), new VendorHttpResponse(status, Encoding.UTF8.GetBytes(body), "application/json")));

        Assert.Equal(expected, exception.Message);
        Assert.Equal(status, exception.VendorStatusCode);
        Assert.DoesNotContain("Jane Doe", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("req_", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateStreamTranslator_Always_ReturnsAnthropicTranslator() =>
        Assert.IsType<AnthropicStreamTranslator>(_provider.CreateStreamTranslator(TestRequests.ForChat([new("user", "Hello")], new ChatOptions(Stream: true))));

    private static JsonObject BodyOf(VendorHttpRequest request) => JsonNode.Parse(request.Body.Span)!.AsObject();

    private static VendorHttpResponse Ok(string body) => new(200, Encoding.UTF8.GetBytes(body), "application/json");
}

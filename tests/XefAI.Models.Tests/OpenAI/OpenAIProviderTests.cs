using System.Text;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.OpenAI;
using XefAI.Models.Tests.Support;

namespace XefAI.Models.Tests.OpenAI;

public sealed class OpenAIProviderTests
{
    // The example response of OpenAI's Chat Completions API reference.
    private const string DocumentedResponse = """
        {
          "id": "chatcmpl-123",
          "object": "chat.completion",
          "created": 1677652288,
          "model": "gpt-4o-mini",
          "system_fingerprint": "fp_44709d6fcb",
          "choices": [{
            "index": 0,
            "message": {
              "role": "assistant",
              "content": "\n\nHello there, how may I assist you today?"
            },
            "logprobs": null,
            "finish_reason": "stop"
          }],
          "usage": {
            "prompt_tokens": 9,
            "completion_tokens": 12,
            "total_tokens": 21
          }
        }
        """;

    private const string ClientBody = """
        {
          "model": "discharge-summary",
          "messages": [
            { "role": "system", "content": "You draft discharge summaries." },
            { "role": "user", "content": "Summarize: Ödem beider Beine, 2+ pitting edema." }
          ],
          "temperature": 0.2,
          "max_tokens": 256,
          "user": "clinician-7",
          "seed": 42,
          "response_format": { "type": "text" },
          "metadata": { "workflow": "discharge" }
        }
        """;

    private static readonly VendorEndpoint OpenAIEndpoint =
        new("openai/primary", "sk-test-123", new Dictionary<string, string>());

    private readonly OpenAIProvider _provider = new();

    [Fact]
    public void Kind_IsOpenAI() => Assert.Equal("openai", _provider.Kind);

    [Fact]
    public async Task CreateRequest_ClientBody_ReplacesModelAndKeepsEveryOtherField()
    {
        var request = TestRequests.ForBody(ClientBody);

        var vendorRequest = _provider.CreateRequest(request, OpenAIEndpoint);
        var body = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(vendorRequest.Body.Span))!.AsObject();

        Assert.Equal("gpt-4o-mini-2024-07-18", (string?)body["model"]);
        Assert.Equal(
            ["model", "messages", "temperature", "max_tokens", "user", "seed", "response_format", "metadata"],
            body.Select(property => property.Key));
        Assert.True(JsonNode.DeepEquals(request.Body["messages"], body["messages"]));
        Assert.Equal("Summarize: Ödem beider Beine, 2+ pitting edema.", (string?)body["messages"]![1]!["content"]);
        Assert.Equal(0.2, (double?)body["temperature"]);
        Assert.Equal(256, (int?)body["max_tokens"]);
        Assert.Equal("clinician-7", (string?)body["user"]);
        Assert.Equal(42, (int?)body["seed"]);
        Assert.Equal("text", (string?)body["response_format"]!["type"]);
        Assert.Equal("discharge", (string?)body["metadata"]!["workflow"]);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void CreateRequest_ClientAsksTheVendorToStoreTheCompletion_VendorIsToldFalse(string store)
    {
        var request = TestRequests.ForBody($$"""{ "model": "discharge-summary", "messages": [], "store": {{store}}, "metadata": { "workflow": "discharge" } }""");

        var vendorRequest = _provider.CreateRequest(request, OpenAIEndpoint);
        var body = JsonNode.Parse(Encoding.UTF8.GetString(vendorRequest.Body.Span))!.AsObject();

        Assert.False((bool?)body["store"]);
        Assert.Equal(["model", "messages", "store", "metadata"], body.Select(property => property.Key));
        Assert.Equal(store == "true", (bool?)request.Body["store"]);
    }

    [Fact]
    public void CreateRequest_ClientBody_LeavesClientBodyUntouched()
    {
        var request = TestRequests.ForBody("""{ "model": "discharge-summary", "messages": [], "stream": false }""");

        _provider.CreateRequest(request, OpenAIEndpoint);

        Assert.Equal("discharge-summary", (string?)request.Body["model"]);
        Assert.False((bool?)request.Body["stream"]);
    }

    [Fact]
    public async Task CreateRequest_Always_PostsUtf8JsonToChatCompletions()
    {
        var vendorRequest = _provider.CreateRequest(TestRequests.ForBody(ClientBody), OpenAIEndpoint);
        var bytes = vendorRequest.Body.ToArray();

        Assert.Equal("chat/completions", vendorRequest.RelativePath);
        Assert.Equal("application/json", vendorRequest.ContentType);
        Assert.Contains("Ödem", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.NotEqual(0xEF, bytes[0]);
    }

    [Theory]
    [InlineData("""{ "model": "m", "messages": [], "stream": false, "stream_options": { "include_usage": true } }""")]
    [InlineData("""{ "model": "m", "messages": [], "stream_options": { "include_usage": true } }""")]
    [InlineData("""{ "model": "m", "messages": [], "stream": null }""")]
    public async Task CreateRequest_StreamFalseOrAbsent_RemovesStreamFields(string clientBody)
    {
        var vendorRequest = _provider.CreateRequest(TestRequests.ForBody(clientBody), OpenAIEndpoint);
        var body = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(vendorRequest.Body.Span))!.AsObject();

        Assert.False(body.ContainsKey("stream"));
        Assert.False(body.ContainsKey("stream_options"));
        Assert.Equal(["model", "messages"], body.Select(property => property.Key));
    }

    [Theory]
    [InlineData("""{ "model": "m", "messages": [], "stream": true }""", """{ "include_usage": true }""")]
    [InlineData("""{ "model": "m", "messages": [], "stream": true, "stream_options": null }""", """{ "include_usage": true }""")]
    [InlineData("""{ "model": "m", "messages": [], "stream": true, "stream_options": { "include_usage": true } }""", """{ "include_usage": true }""")]
    [InlineData(
        """{ "model": "m", "messages": [], "stream": true, "stream_options": { "include_usage": false, "include_obfuscation": false } }""",
        """{ "include_usage": true, "include_obfuscation": false }""")]
    public void CreateRequest_Streaming_SendsStreamAndAlwaysAsksForUsage(string clientBody, string expectedStreamOptions)
    {
        var request = TestRequests.ForBody(clientBody, options: new ChatOptions(Stream: true));

        var body = BodyOf(_provider.CreateRequest(request, OpenAIEndpoint));

        Assert.Equal(["model", "messages", "stream", "stream_options"], body.Select(property => property.Key));
        Assert.True((bool?)body["stream"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expectedStreamOptions), body["stream_options"]));
    }

    [Fact]
    public void CreateRequest_StreamingWithoutStreamInBody_AddsStreamFields()
    {
        var request = TestRequests.ForBody("""{ "model": "m", "messages": [] }""", options: new ChatOptions(Stream: true));

        var body = BodyOf(_provider.CreateRequest(request, OpenAIEndpoint));

        Assert.True((bool?)body["stream"]);
        Assert.True((bool?)body["stream_options"]!["include_usage"]);
    }

    [Fact]
    public void CreateRequest_BodySaysStreamButOptionsDoNot_RemovesStreamFields()
    {
        // The gateway reads the vendor's answer as one body when the options say so; a stream would not parse.
        var request = TestRequests.ForBody("""{ "model": "m", "messages": [], "stream": true, "stream_options": { "include_usage": true } }""");

        var body = BodyOf(_provider.CreateRequest(request, OpenAIEndpoint));

        Assert.Equal(["model", "messages"], body.Select(property => property.Key));
    }

    [Fact]
    public void CreateRequest_Streaming_LeavesClientStreamOptionsUntouched()
    {
        var request = TestRequests.ForBody(
            """{ "model": "m", "messages": [], "stream": true, "stream_options": { "include_usage": false } }""",
            options: new ChatOptions(Stream: true));

        _provider.CreateRequest(request, OpenAIEndpoint);

        Assert.False((bool?)request.Body["stream_options"]!["include_usage"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CreateStreamTranslator_Always_ReturnsOpenAITranslatorForTheClientsUsageChoice(bool includeUsage)
    {
        var request = TestRequests.ForBody("""{ "model": "m", "messages": [] }""", options: new ChatOptions(Stream: true, IncludeUsage: includeUsage));
        var translator = _provider.CreateStreamTranslator(request);
        var chunks = new List<ReadOnlyMemory<byte>>();

        translator.Translate(new ServerSentEvent(null, """{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"""), chunks);

        Assert.IsType<OpenAIStreamTranslator>(translator);
        Assert.Equal(includeUsage ? 1 : 0, chunks.Count);
        Assert.Equal(new TokenUsage(1, 2), translator.Result.Usage);
    }

    [Fact]
    public void CreateRequest_KeyWithoutAuthHeaderMetadata_SendsBearerToken()
    {
        var vendorRequest = _provider.CreateRequest(TestRequests.ForBody(ClientBody), OpenAIEndpoint);

        var header = Assert.Single(vendorRequest.Headers);
        Assert.Equal("Authorization", header.Key);
        Assert.Equal("Bearer sk-test-123", header.Value);
    }

    [Fact]
    public void CreateRequest_AzureAuthHeaderMetadata_SendsApiKeyHeader()
    {
        var endpoint = new VendorEndpoint(
            "azure/eastus",
            "azure-key-456",
            new Dictionary<string, string> { ["AuthHeader"] = "api-key" });

        var vendorRequest = _provider.CreateRequest(TestRequests.ForBody(ClientBody), endpoint);

        var header = Assert.Single(vendorRequest.Headers);
        Assert.Equal("api-key", header.Key);
        Assert.Equal("azure-key-456", header.Value);
    }

    [Fact]
    public void CreateRequest_NoKey_SendsNoAuthHeader()
    {
        var endpoint = new VendorEndpoint(
            "ollama/local",
            null,
            new Dictionary<string, string> { ["AuthHeader"] = "api-key" });

        var vendorRequest = _provider.CreateRequest(TestRequests.ForBody(ClientBody), endpoint);

        Assert.Empty(vendorRequest.Headers);
    }

    [Fact]
    public void ReadResponse_OpenAIDocumentedExample_ReturnsCompletionAndItsParts()
    {
        var response = _provider.ReadResponse(TestRequests.ForBody(ClientBody), Ok(DocumentedResponse));

        Assert.Equal("gpt-4o-mini", response.Model);
        Assert.Equal("\n\nHello there, how may I assist you today?", response.Content);
        Assert.Equal("stop", response.FinishReason);
        Assert.Equal(new TokenUsage(9, 12), response.Usage);
        Assert.Equal(21, response.Usage!.TotalTokens);
        Assert.Equal("chatcmpl-123", (string?)response.Completion["id"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(DocumentedResponse), response.Completion));
    }

    [Fact]
    public void ReadResponse_NoModelNoObjectNoUsage_FallsBackToDeploymentModel()
    {
        const string Body = """{ "choices": [ { "message": { "role": "assistant", "content": "Hi" }, "finish_reason": "length" } ] }""";

        var response = _provider.ReadResponse(TestRequests.ForBody(ClientBody), Ok(Body));

        Assert.Equal("gpt-4o-mini-2024-07-18", response.Model);
        Assert.Equal("Hi", response.Content);
        Assert.Equal("length", response.FinishReason);
        Assert.Null(response.Usage);
    }

    [Fact]
    public void ReadResponse_ToolCallWithNullContent_ReturnsEmptyContent()
    {
        const string Body = """
            { "object": "chat.completion", "model": "gpt-4o-mini", "choices": [ { "index": 0, "finish_reason": "tool_calls",
              "message": { "role": "assistant", "content": null,
                "tool_calls": [ { "id": "call_1", "type": "function", "function": { "name": "lookup", "arguments": "{}" } } ] } } ] }
            """;

        var response = _provider.ReadResponse(TestRequests.ForBody(ClientBody), Ok(Body));

        Assert.Equal(string.Empty, response.Content);
        Assert.Equal("tool_calls", response.FinishReason);
        Assert.Equal("call_1", (string?)response.Completion["choices"]![0]!["message"]!["tool_calls"]![0]!["id"]);
    }

    [Fact]
    public void ReadResponse_BodyWithUtf8Bom_IsRead()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(DocumentedResponse)).ToArray();

        var response = _provider.ReadResponse(TestRequests.ForBody(ClientBody), new VendorHttpResponse(200, body, "application/json"));

        Assert.Equal("chatcmpl-123", (string?)response.Completion["id"]);
    }

    [Fact]
    public void ReadResponse_EscapesNumbersAndExtraFields_CompletionSerializesAsTheParsedTreeDoes()
    {
        // The client's answer is the completion serialized again: it must stay the bytes a JsonNode tree of the same
        // answer serializes to (escapes, non-ASCII text, numbers as written, fields the gateway does not read).
        const string Body = """
            { "id": "chatcmpl-1", "object": "chat.completion", "created": 1677652288, "n\u00e9": "\u0041",
              "choices": [ { "index": 0, "logprobs": null, "finish_reason": "stop", "extra": [ 1.0e5, -0.0, 12345678901234567890, true, {} ],
                "message": { "role": "assistant", "content": "caf\u00e9 é <b>&'\"\/ \ud83d\ude00 😀\n" } } ],
              "usage": { "prompt_tokens": 9, "completion_tokens": 2.5 } }
            """;

        var response = _provider.ReadResponse(TestRequests.ForBody(ClientBody), Ok(Body));

        Assert.Equal(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(JsonNode.Parse(Body)),
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(response.Completion));
        Assert.Equal("café é <b>&'\"/ 😀 😀\n", response.Content);
        Assert.Equal(new TokenUsage(9, 0), response.Usage);
    }

    [Fact]
    public void ReadResponse_WithTheCallsLifetime_ReadsOverTheBodyAndLeavesTheDocumentToTheCall()
    {
        const string Body = """
            { "id": "chatcmpl-1", "object": "chat.completion", "created": 1677652288,
              "choices": [ { "index": 0, "finish_reason": "stop", "message": { "role": "assistant", "content": "Rest and fluids." } } ],
              "usage": { "prompt_tokens": 9, "completion_tokens": 4 } }
            """;
        var owned = new List<IDisposable>();

        var response = _provider.ReadResponse(TestRequests.ForBody(ClientBody), Ok(Body) with { DisposeWithCall = owned.Add });

        // One document, left to the call; the answer reads as the copied one does until the call disposes of it.
        Assert.Single(owned);
        Assert.Equal(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(JsonNode.Parse(Body)),
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(response.Completion));
        Assert.Equal("Rest and fluids.", response.Content);
        Assert.Equal(new TokenUsage(9, 4), response.Usage);
        owned[0].Dispose();
        Assert.Throws<ObjectDisposedException>(() => response.Completion.ToJsonString());
    }

    [Theory]
    [InlineData("", "empty body")]
    [InlineData("  \r\n ", "empty body")]
    [InlineData("<html><body>Bad gateway</body></html>", "not JSON")]
    [InlineData("""{ "id": "chatcmpl-1", "choices": [ """, "not JSON")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi" } } ] } trailing""", "not JSON")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi" } } ] } {}""", "not JSON")]
    [InlineData("null", "not a JSON object")]
    [InlineData("""{ "object": "chat.completion", "object": "chat.completion", "choices": [ { "message": { "content": "Hi" } } ] }""", "not JSON")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi", "content": "Bye" } } ] }""", "not JSON")]
    [InlineData("""[ { "message": { "content": "Hi" } } ]""", "not a JSON object")]
    [InlineData("""{ "object": "list", "data": [] }""", "object is \"list\", not \"chat.completion\"")]
    [InlineData("""{ "object": "chat.completion.chunk", "choices": [] }""", "object is \"chat.completion.chunk\", not \"chat.completion\"")]
    [InlineData("""{ "object": "Patient Jane Doe", "choices": [] }""", "object is not \"chat.completion\"")]
    [InlineData("""{ "object": "chat.completion" }""", "no choices")]
    [InlineData("""{ "object": "chat.completion", "choices": [] }""", "no choices")]
    [InlineData("""{ "object": "chat.completion", "choices": { "message": { "content": "Hi" } } }""", "choices is not an array")]
    [InlineData("""{ "object": "chat.completion", "choices": [ "Hi" ] }""", "choices[0] is not an object")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "index": 0, "finish_reason": "stop" } ] }""", "choices[0].message missing")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": "Hi" } ] }""", "choices[0].message is not an object")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": 42 } } ] }""", "choices[0].message.content is not a string")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": [ { "type": "text", "text": "Hi" } ] } } ] }""", "choices[0].message.content is not a string")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi" } } ], "usage": "x" }""", "usage is not an object")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": null, "tool_calls": "oops" } } ] }""", "choices[0].message.tool_calls is not an array of function calls with a string name and arguments")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": null, "tool_calls": [ { "id": "c1", "type": "function", "function": { "name": "f", "arguments": { "a": 1 } } } ] } } ] }""", "choices[0].message.tool_calls is not an array of function calls with a string name and arguments")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": null, "tool_calls": [ { "id": 7, "function": { "name": "f", "arguments": "{}" } } ] } } ] }""", "choices[0].message.tool_calls is not an array of function calls with a string name and arguments")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": null, "tool_calls": [ "f" ] } } ] }""", "choices[0].message.tool_calls is not an array of function calls with a string name and arguments")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": null, "refusal": { "why": "no" } } } ] }""", "choices[0].message.refusal is not a string")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "finish_reason": 1, "message": { "content": "Hi" } } ] }""", "choices[0].finish_reason is not a string")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi" } }, { "message": { "content": 42 } } ] }""", "choices[1].message.content is not a string")]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi" } }, 3 ] }""", "choices[1] is not an object")]
    public void ReadResponse_BodyNotACompletion_ThrowsNamingProblem(string body, string reason)
    {
        var exception = Assert.Throws<VendorResponseException>(
            () => _provider.ReadResponse(TestRequests.ForBody(ClientBody), Ok(body)));

        Assert.Equal($"The model vendor's answer is not a chat completion: {reason}.", exception.Message);
        Assert.Null(exception.VendorStatusCode);
        Assert.Null(exception.InnerException);
    }

    [Theory]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi", "refusal": "I can't help with that." } } ] }""", true)]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi" } }, { "message": { "content": "", "refusal": "No." } } ] }""", true)]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi", "refusal": null } } ] }""", false)]
    [InlineData("""{ "object": "chat.completion", "choices": [ { "message": { "content": "Hi" } } ] }""", false)]
    public void ReadResponse_RefusalInAnyChoice_IsSaid(string body, bool refuses)
    {
        // The restore step reads an answer's refusal for tokens only where the provider says there is one.
        var response = _provider.ReadResponse(TestRequests.ForBody(ClientBody), Ok(body));

        Assert.Equal(refuses, response.HasRefusal);
    }

    [Fact]
    public void ReadResponse_Status429WithErrorJson_NamesStatusTypeAndCodeButNotVendorMessage()
    {
        const string Body = """
            { "error": { "message": "Rate limit reached for gpt-4o-mini on request about patient John Smith, MRN 00123.",
              "type": "requests", "param": null, "code": "rate_limit_exceeded" } }
            """;

        var exception = Assert.Throws<VendorResponseException>(
            () => _provider.ReadResponse(TestRequests.ForBody(ClientBody), new VendorHttpResponse(429, Encoding.UTF8.GetBytes(Body), "application/json")));

        Assert.Equal("The model vendor answered HTTP 429 (type: requests, code: rate_limit_exceeded).", exception.Message);
        Assert.Equal(429, exception.VendorStatusCode);
        Assert.DoesNotContain("Rate limit reached", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("John Smith", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadResponse_Status500WithErrorJson_NamesStatusAndTypeButNotVendorMessage()
    {
        const string Body = """
            { "error": { "message": "The server had an error while processing your request about Jane Doe (DOB 1957-04-12).",
              "type": "server_error", "param": null, "code": null } }
            """;

        var exception = Assert.Throws<VendorResponseException>(
            () => _provider.ReadResponse(TestRequests.ForBody(ClientBody), new VendorHttpResponse(500, Encoding.UTF8.GetBytes(Body), "application/json")));

        Assert.Equal("The model vendor answered HTTP 500 (type: server_error).", exception.Message);
        Assert.Equal(500, exception.VendorStatusCode);
        Assert.DoesNotContain("Jane Doe", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("server had an error", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, """{ "error": { "message": "bad", "type": "Patient Jane Doe, 67, has sepsis", "code": "invalid value for MRN 00123" } }""", "The model vendor answered HTTP 400.")]
    [InlineData(404, """{ "error": "model 'llama3' not found, try pulling it first" }""", "The model vendor answered HTTP 404.")]
    [InlineData(502, "<html><body>502 Bad Gateway</body></html>", "The model vendor answered HTTP 502.")]
    [InlineData(503, "", "The model vendor answered HTTP 503.")]
    [InlineData(429, """{ "error": { "code": "429", "message": "Requests to the ChatCompletions_Create Operation have exceeded the rate limit." } }""", "The model vendor answered HTTP 429 (code: 429).")]
    public void ReadResponse_ErrorStatus_ReportsStatusAndOnlyIdentifierLikeFields(int status, string body, string expected)
    {
        var exception = Assert.Throws<VendorResponseException>(
            () => _provider.ReadResponse(TestRequests.ForBody(ClientBody), new VendorHttpResponse(status, Encoding.UTF8.GetBytes(body), null)));

        Assert.Equal(expected, exception.Message);
        Assert.Equal(status, exception.VendorStatusCode);
    }

    private static JsonObject BodyOf(VendorHttpRequest request) => JsonNode.Parse(request.Body.Span)!.AsObject();

    private static VendorHttpResponse Ok(string body) => new(200, Encoding.UTF8.GetBytes(body), "application/json");
}

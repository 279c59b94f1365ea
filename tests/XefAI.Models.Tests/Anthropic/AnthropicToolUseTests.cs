using System.Text;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.Anthropic;
using XefAI.Models.Tests.Support;

namespace XefAI.Models.Tests.Anthropic;

/// <summary>
/// Tools, tool results, images and untranslatable fields, checked against the get_weather examples of Anthropic's
/// tool use and streaming documentation.
/// </summary>
public sealed class AnthropicToolUseTests
{
    /// <summary>The get_weather tool of Anthropic's tool use documentation, as an OpenAI client defines it.</summary>
    private const string OpenAIWeatherTool = """
        { "type": "function", "function": { "name": "get_weather", "description": "Get the current weather in a given location",
          "parameters": { "type": "object", "properties": { "location": { "type": "string", "description": "The city and state, e.g. San Francisco, CA" } }, "required": ["location"] } } }
        """;

    /// <summary>The same tool as Anthropic's documentation sends it.</summary>
    private const string AnthropicWeatherTool = """
        { "name": "get_weather", "description": "Get the current weather in a given location",
          "input_schema": { "type": "object", "properties": { "location": { "type": "string", "description": "The city and state, e.g. San Francisco, CA" } }, "required": ["location"] } }
        """;

    /// <summary>The tool use response of Anthropic's tool use documentation.</summary>
    private const string DocumentedToolUseResponse = """
        {
          "id": "msg_01Aq9w938a90dw8q",
          "model": "claude-sonnet-4-5",
          "stop_reason": "tool_use",
          "role": "assistant",
          "type": "message",
          "content": [
            { "type": "text", "text": "I'll check the current weather in San Francisco for you." },
            { "type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"location": "San Francisco, CA", "unit": "celsius"} }
          ]
        }
        """;

    private const string Model = "claude-opus-4-6";

    private static readonly DateTimeOffset Now = new(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);

    private static readonly VendorEndpoint Endpoint = new("anthropic/primary", "sk-ant-test-123", new Dictionary<string, string>());

    // The tool use response of Anthropic's streaming documentation, event for event.
    private static readonly ServerSentEvent[] DocumentedToolUseStream =
    [
        new("message_start", """{"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-opus-4-6","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}"""),
        new("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
        new("ping", """{"type": "ping"}"""),
        .. "Okay|,| let|'s| check| the| weather| for| San| Francisco|,| CA|:".Split('|').Select(text =>
            new ServerSentEvent("content_block_delta", $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"{{{text}}}"}}""")),
        new("content_block_stop", """{"type":"content_block_stop","index":0}"""),
        new("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}"""),
        .. new[] { "", "{\\\"location\\\":", " \\\"San", " Francisc", "o,", " CA\\\"", ",", " \\\"unit\\\": \\\"fah", "renheit\\\"}" }.Select(fragment =>
            new ServerSentEvent("content_block_delta", $$$"""{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{{{fragment}}}"}}""")),
        new("content_block_stop", """{"type":"content_block_stop","index":1}"""),
        new("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}"""),
        new("message_stop", """{"type":"message_stop"}"""),
    ];

    private readonly AnthropicProvider _provider = new(new FixedTimeProvider(Now));

    public static TheoryData<string, string> ToolChoices => new()
    {
        { "\"auto\"", """{"type":"auto"}""" },
        { "\"required\"", """{"type":"any"}""" },
        { "\"none\"", """{"type":"none"}""" },
        { """{"type":"function","function":{"name":"get_weather"}}""", """{"type":"tool","name":"get_weather"}""" },
    };

    public static TheoryData<string, string> Untranslatable => new()
    {
        // the request's extra fields or messages, the field named
        { """ "messages": [{"role":"user","content":[{"type":"text","text":"Transcribe."},{"type":"input_audio","input_audio":{"data":"UklGR","format":"wav"}}]}] """, "messages[0].content[1]" },
        { """ "messages": [{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}] """, "messages[1].content[0]" },
        { """ "messages": [{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,Qk0="}}]}] """, "messages[0].content[0].image_url.url" },
        { """ "messages": [{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,rawbytes"}}]}] """, "messages[0].content[0].image_url.url" },
        { """ "messages": [{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://example.org/x.png"}}]}] """, "messages[0].content[0].image_url.url" },
        { """ "messages": [{"role":"system","content":[{"type":"text","text":"Look:"},{"type":"image_url","image_url":{"url":"https://example.org/x.png"}}]},{"role":"user","content":"Hi"}] """, "messages[0].content[1]" },
        { """ "messages": [{"role":"user","content":"Hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"not json"}}]}] """, "messages[1].tool_calls[0].function.arguments" },
        { """ "messages": [{"role":"user","content":"Hi"},{"role":"assistant","content":null,"function_call":{"name":"get_weather","arguments":"{}"}}] """, "messages[1].function_call" },
        { """ "messages": [{"role":"user","content":"Hi"}], "response_format": {"type":"json_object"} """, "response_format" },
        { """ "messages": [{"role":"user","content":"Hi"}], "response_format": {"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}} """, "response_format" },
        { """ "messages": [{"role":"user","content":"Hi"}], "functions": [{"name":"get_weather"}] """, "functions" },
        { """ "messages": [{"role":"user","content":"Hi"}], "logprobs": true """, "logprobs" },
        { """ "messages": [{"role":"user","content":"Hi"}], "frequency_penalty": 0.5 """, "frequency_penalty" },
        { """ "messages": [{"role":"user","content":"Hi"}], "logit_bias": {"50256": -100} """, "logit_bias" },
        { """ "messages": [{"role":"user","content":"Hi"}], "modalities": ["text","audio"] """, "modalities" },
        { """ "messages": [{"role":"user","content":"Hi"}], "tools": [{"type":"custom","custom":{"name":"grammar"}}] """, "tools[0].type" },
        { """ "messages": [{"role":"user","content":"Hi"}], "tools": [{"type":"function","function":{"description":"no name"}}] """, "tools[0].function.name" },
        { """ "messages": [{"role":"user","content":"Hi"}], "tool_choice": "required" """, "tool_choice" },
        { $$""" "messages": [{"role":"user","content":"Hi"}], "tools": [{{OpenAIWeatherTool}}], "tool_choice": {"type":"allowed_tools"} """, "tool_choice" },
    };

    [Fact]
    public void CreateRequest_DocumentedWeatherTool_SendsAnthropicToolWithInputSchema()
    {
        var request = FromBody($$"""{ "model": "weather", "messages": [{"role":"user","content":"What is the weather like in San Francisco?"}], "tools": [{{OpenAIWeatherTool}}] }""");

        var body = BodyOf(_provider.CreateRequest(request, Endpoint));

        AssertJson($"[{AnthropicWeatherTool}]", body["tools"]);
        Assert.False(body.ContainsKey("tool_choice"));
        AssertJson("""[{"role":"user","content":"What is the weather like in San Francisco?"}]""", body["messages"]);
    }

    [Fact]
    public void CreateRequest_FunctionWithoutParametersButStrict_SendsEmptyObjectSchemaAndStrict()
    {
        var request = FromBody("""{ "messages": [{"role":"user","content":"Now?"}], "tools": [{"type":"function","function":{"name":"current_time","strict":true}}] }""");

        var body = BodyOf(_provider.CreateRequest(request, Endpoint));

        AssertJson("""[{"name":"current_time","input_schema":{"type":"object","properties":{}},"strict":true}]""", body["tools"]);
    }

    [Fact]
    public void CreateRequest_ToolsAndToolCalls_WritesSchemaAsTheClientWroteItAndLeavesTheBodyAsItWas()
    {
        // The body is shared with audit and fallback attempts; the schema is written from it, not moved or edited.
        var request = FromBody("""
            { "messages": [
                {"role":"user","content":"Dose?"},
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"dose","arguments":"{\"kg\":70.0}"}}]},
                {"role":"tool","tool_call_id":"call_1","content":"5 mg"}],
              "tools": [{"type":"function","function":{"name":"dose","description":"Dose für Ödem","strict":true,
                "parameters":{"type":"object","properties":{"kg":{"type":"number","minimum":1.50,"maximum":1e3}},"required":["kg"]}}}],
              "tool_choice": "required" }
            """);
        var before = request.Body.ToJsonString();

        var first = Encoding.UTF8.GetString(_provider.CreateRequest(request, Endpoint).Body.Span);
        var second = Encoding.UTF8.GetString(_provider.CreateRequest(request, Endpoint).Body.Span);

        Assert.Contains(
            ""","tools":[{"name":"dose","description":"Dose für Ödem","input_schema":{"type":"object","properties":{"kg":{"type":"number","minimum":1.50,"maximum":1e3}},"required":["kg"]},"strict":true}]""",
            first,
            StringComparison.Ordinal);
        Assert.Equal(first, second);
        Assert.Equal(before, request.Body.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(ToolChoices))]
    public void CreateRequest_ToolChoice_MapsToAnthropicToolChoice(string openAIChoice, string anthropicChoice)
    {
        var request = FromBody($$"""{ "messages": [{"role":"user","content":"Weather?"}], "tools": [{{OpenAIWeatherTool}}], "tool_choice": {{openAIChoice}} }""");

        var body = BodyOf(_provider.CreateRequest(request, Endpoint));

        AssertJson(anthropicChoice, body["tool_choice"]);
        Assert.NotNull(body["tools"]);
    }

    [Theory]
    [InlineData("", """{"type":"auto","disable_parallel_tool_use":true}""")]
    [InlineData(""", "tool_choice": "required" """, """{"type":"any","disable_parallel_tool_use":true}""")]
    [InlineData(""", "tool_choice": "none" """, """{"type":"none"}""")]
    public void CreateRequest_ParallelToolCallsFalse_DisablesParallelToolUse(string choice, string anthropicChoice)
    {
        var request = FromBody($$"""{ "messages": [{"role":"user","content":"Weather?"}], "tools": [{{OpenAIWeatherTool}}], "parallel_tool_calls": false {{choice}} }""");

        var body = BodyOf(_provider.CreateRequest(request, Endpoint));

        AssertJson(anthropicChoice, body["tool_choice"]);
    }

    [Theory]
    [InlineData("\"auto\"")]
    [InlineData("\"none\"")]
    public void CreateRequest_ToolChoiceWithoutTools_SendsNeither(string choice)
    {
        var body = BodyOf(_provider.CreateRequest(FromBody($$"""{ "messages": [{"role":"user","content":"Hi"}], "tools": [], "tool_choice": {{choice}} }"""), Endpoint));

        Assert.False(body.ContainsKey("tools"));
        Assert.False(body.ContainsKey("tool_choice"));
    }

    [Fact]
    public void CreateRequest_DocumentedToolResultFollowUp_SendsToolUseAndToolResultBlocks()
    {
        var request = FromBody($$$"""
            { "messages": [
                {"role":"user","content":"What is the weather like in San Francisco?"},
                {"role":"assistant","content":"I'll check the current weather in San Francisco for you.","tool_calls":[
                  {"id":"toolu_01A09q90qw90lq917835lq9","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"}}]},
                {"role":"tool","tool_call_id":"toolu_01A09q90qw90lq917835lq9","content":"15 degrees"}],
              "tools": [{{{OpenAIWeatherTool}}}] }
            """);

        var body = BodyOf(_provider.CreateRequest(request, Endpoint));

        // The follow-up request of Anthropic's tool use documentation.
        AssertJson(
            """
            [
              {"role": "user", "content": "What is the weather like in San Francisco?"},
              {"role": "assistant", "content": [
                {"type": "text", "text": "I'll check the current weather in San Francisco for you."},
                {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"location": "San Francisco, CA", "unit": "celsius"}}]},
              {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9", "content": "15 degrees"}]}
            ]
            """,
            body["messages"]);
        AssertJson($"[{AnthropicWeatherTool}]", body["tools"]);
    }

    [Theory]
    [InlineData("[NAME_1]")]
    [InlineData("call 7 for Maria")]
    public void CreateRequest_ToolCallIdAnthropicWouldRefuse_IsWrittenInItsCharactersAndStillPairs(string id)
    {
        // Anthropic takes ids of letters, digits, '_' and '-' only; the gateway de-identifies an id naming a patient into a token.
        var request = FromBody($$$"""
            { "messages": [
                {"role":"user","content":"Dose?"},
                {"role":"assistant","content":null,"tool_calls":[{"id":"{{{id}}}","type":"function","function":{"name":"dose","arguments":"{}"}}]},
                {"role":"tool","tool_call_id":"{{{id}}}","content":"5 mg"}] }
            """);

        var messages = BodyOf(_provider.CreateRequest(request, Endpoint))["messages"]!.AsArray();

        var used = (string?)messages[1]!["content"]![0]!["id"];
        Assert.Matches("^xefai_[A-Za-z0-9_-]+$", used);
        Assert.Equal(used, (string?)messages[2]!["content"]![0]!["tool_use_id"]);
    }

    [Fact]
    public void ToolUseId_DistinctIdsStayDistinctAndAnOpenAIIdIsKept()
    {
        Assert.Equal("call_abc123", AnthropicRequestTranslator.ToolUseId("call_abc123"));
        Assert.NotEqual(AnthropicRequestTranslator.ToolUseId("[NAME_1]"), AnthropicRequestTranslator.ToolUseId("[NAME_2]"));
    }

    [Fact]
    public void CreateRequest_ParallelToolResultsAndUserText_OneUserTurnWithResultsFirst()
    {
        var request = FromBody("""
            { "messages": [
                {"role":"user","content":"Weather in Paris and Oslo?"},
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}},
                  {"id":"toolu_2","type":"function","function":{"name":"get_weather","arguments":""}}]},
                {"role":"user","content":"Answer in Celsius."},
                {"role":"tool","tool_call_id":"toolu_1","content":[{"type":"text","text":"12"},{"type":"text","text":"light rain"}]},
                {"role":"tool","tool_call_id":"toolu_2","content":""}] }
            """);

        var body = BodyOf(_provider.CreateRequest(request, Endpoint));

        AssertJson(
            """
            [
              {"role":"user","content":"Weather in Paris and Oslo?"},
              {"role":"assistant","content":[
                {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"Paris"}},
                {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"toolu_1","content":"12\nlight rain"},
                {"type":"tool_result","tool_use_id":"toolu_2"},
                {"type":"text","text":"Answer in Celsius."}]}
            ]
            """,
            body["messages"]);
    }

    [Fact]
    public void CreateRequest_ImageOnlyDataUrl_SendsBase64ImageBlock()
    {
        var request = FromBody("""{ "messages": [{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}}]}] }""");

        var body = BodyOf(_provider.CreateRequest(request, Endpoint));

        AssertJson(
            """[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]""",
            body["messages"]);
    }

    [Fact]
    public void CreateRequest_TextAndHttpsImage_SendsTextAndUrlImageBlocksInOrder()
    {
        var request = FromBody("""
            { "messages": [{"role":"user","content":[
                {"type":"text","text":"Describe the wound."},
                {"type":"image_url","image_url":{"url":"https://images.example.org/wound.jpeg"}},
                {"type":"text","text":"Compare with last week."}]}] }
            """);

        var body = BodyOf(_provider.CreateRequest(request, Endpoint));

        AssertJson(
            """
            [{"role":"user","content":[
              {"type":"text","text":"Describe the wound."},
              {"type":"image","source":{"type":"url","url":"https://images.example.org/wound.jpeg"}},
              {"type":"text","text":"Compare with last week."}]}]
            """,
            body["messages"]);
    }

    [Theory]
    [MemberData(nameof(Untranslatable))]
    public void CreateRequest_Untranslatable_ThrowsNamingField(string fields, string param)
    {
        var request = FromBody($$"""{ "model": "m", {{fields}} }""");

        var exception = Assert.Throws<UnsupportedRequestException>(() => _provider.CreateRequest(request, Endpoint));

        Assert.Equal(param, exception.Param);
        Assert.False(string.IsNullOrWhiteSpace(exception.Message));
        Assert.DoesNotContain("rawbytes", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("example.org", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_DefaultsSdksSendUnasked_AreAccepted()
    {
        var request = FromBody("""
            { "messages": [{"role":"user","content":"Hi"}], "response_format": {"type":"text"}, "logprobs": false, "frequency_penalty": 0,
              "presence_penalty": 0.0, "logit_bias": {}, "seed": 7, "parallel_tool_calls": true, "modalities": ["text"], "n": 1 }
            """);

        var body = BodyOf(_provider.CreateRequest(request, Endpoint));

        Assert.Equal(["model", "messages", "max_tokens"], body.Select(property => property.Key));
    }

    [Fact]
    public void ReadResponse_DocumentedToolUse_ReturnsToolCallsWithArgumentsAsJsonString()
    {
        var response = _provider.ReadResponse(FromBody("""{ "messages": [{"role":"user","content":"Weather?"}] }"""), Ok(DocumentedToolUseResponse));

        Assert.Equal("tool_calls", response.FinishReason);
        Assert.Equal("I'll check the current weather in San Francisco for you.", response.Content);
        AssertJson(
            """
            {"role":"assistant","content":"I'll check the current weather in San Francisco for you.","tool_calls":[
              {"id":"toolu_01A09q90qw90lq917835lq9","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"}}]}
            """,
            response.Completion["choices"]![0]!["message"]);
        Assert.Equal("tool_calls", (string?)response.Completion["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public void ReadResponse_ToolUseOnly_ContentIsNullAndArgumentsKeepNonAscii()
    {
        const string Body = """
            { "id": "msg_2", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "stop_reason": "tool_use",
              "content": [
                { "type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": { "location": "Zürich" } },
                { "type": "tool_use", "id": "toolu_2", "name": "get_time", "input": {} } ] }
            """;

        var response = _provider.ReadResponse(FromBody("""{ "messages": [{"role":"user","content":"Now?"}] }"""), Ok(Body));

        var message = response.Completion["choices"]![0]!["message"]!.AsObject();
        Assert.True(message.ContainsKey("content"));
        Assert.Null(message["content"]);
        Assert.Equal(
            ["{\"location\":\"Zürich\"}", "{}"],
            message["tool_calls"]!.AsArray().Select(call => (string?)call!["function"]!["arguments"]));
        Assert.Equal(["toolu_1", "toolu_2"], message["tool_calls"]!.AsArray().Select(call => (string?)call!["id"]));
        Assert.Equal(string.Empty, response.Content);
    }

    [Theory]
    [InlineData("""{ "type": "tool_use", "name": "get_weather", "input": {} }""", "content[0].id is not a string")]
    [InlineData("""{ "type": "tool_use", "id": "toolu_1", "input": {} }""", "content[0].name is not a string")]
    [InlineData("""{ "type": "tool_use", "id": "toolu_1", "name": "get_weather" }""", "content[0].input is not an object")]
    [InlineData("""{ "type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": "{}" }""", "content[0].input is not an object")]
    public void ReadResponse_ToolUseOfWrongShape_ThrowsNamingProblem(string block, string reason)
    {
        var body = $$"""{ "id": "msg_1", "type": "message", "content": [ {{block}} ], "stop_reason": "tool_use" }""";

        var exception = Assert.Throws<VendorResponseException>(() => _provider.ReadResponse(FromBody("""{ "messages": [] }"""), Ok(body)));

        Assert.Equal($"The model vendor's answer is not an Anthropic message: {reason}.", exception.Message);
    }

    [Fact]
    public void Translate_DocumentedToolUseStream_EmitsTextThenToolCallDeltas()
    {
        var translator = new AnthropicStreamTranslator(FromBody("""{ "messages": [] }""", stream: true), new FixedTimeProvider(Now));
        var chunks = new List<ReadOnlyMemory<byte>>();

        var ended = DocumentedToolUseStream.Select(vendorEvent => translator.Translate(vendorEvent, chunks)).ToList();

        Assert.True(ended[^1]);
        Assert.DoesNotContain(true, ended[..^1]);
        var created = Now.ToUnixTimeSeconds();
        var texts = chunks.Select(chunk => Encoding.UTF8.GetString(chunk.Span)).ToList();
        Assert.Equal(
            $$$"""{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","object":"chat.completion.chunk","created":{{{created}}},"model":"{{{Model}}}","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]}""",
            texts[14]);
        Assert.Equal(
            $$$"""{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","object":"chat.completion.chunk","created":{{{created}}},"model":"{{{Model}}}","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"location\":"}}]},"logprobs":null,"finish_reason":null}]}""",
            texts[15]);

        var parsed = texts.Select(text => JsonNode.Parse(text)!["choices"]![0]!).ToList();
        Assert.Equal("Okay, let's check the weather for San Francisco, CA:", string.Concat(parsed.Select(choice => (string?)choice["delta"]!["content"])));
        var toolDeltas = parsed.Where(choice => choice["delta"]!["tool_calls"] is not null).Select(choice => choice["delta"]!["tool_calls"]![0]!).ToList();
        Assert.Equal(9, toolDeltas.Count);
        Assert.All(toolDeltas, delta => Assert.Equal(0, (int?)delta["index"]));
        Assert.Equal(
            """{"location": "San Francisco, CA", "unit": "fahrenheit"}""",
            string.Concat(toolDeltas.Select(delta => (string?)delta["function"]!["arguments"])));
        Assert.Equal("tool_calls", (string?)parsed[^1]["finish_reason"]);
        Assert.Equal(24, chunks.Count);
        Assert.Equal(
            new StreamedAnswer("Okay, let's check the weather for San Francisco, CA:", "tool_calls", new TokenUsage(472, 89), Model),
            translator.Result with { ToolCalls = null });

        // The audit gets the call the model made, its arguments joined.
        Assert.Equal(
            [new StreamedToolCall(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", """{"location": "San Francisco, CA", "unit": "fahrenheit"}""")],
            translator.Result.ToolCalls!);
    }

    [Fact]
    public void Translate_TwoToolUseBlocksAfterText_IndexesCountToolCallsNotBlocks()
    {
        var translator = new AnthropicStreamTranslator(FromBody("""{ "messages": [] }""", stream: true), new FixedTimeProvider(Now));
        var chunks = new List<ReadOnlyMemory<byte>>();
        ServerSentEvent[] events =
        [
            DocumentedToolUseStream[0],
            DocumentedToolUseStream[1],
            new("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{}}}"""),
            new("content_block_start", """{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"get_time","input":{}}}"""),
            new("content_block_delta", """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}"""),
            new("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":\"Oslo\"}"}}"""),
        ];

        foreach (var vendorEvent in events)
        {
            translator.Translate(vendorEvent, chunks);
        }

        var calls = chunks.Skip(1).Select(chunk => JsonNode.Parse(chunk.Span)!["choices"]![0]!["delta"]!["tool_calls"]![0]!).ToList();
        Assert.Equal([0, 1, 1, 0], calls.Select(call => (int?)call["index"]));
        Assert.Equal(["toolu_a", "toolu_b", null, null], calls.Select(call => (string?)call["id"]));
        Assert.Equal(["", "", "{}", "{\"location\":\"Oslo\"}"], calls.Select(call => (string?)call["function"]!["arguments"]));
    }

    [Theory]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}""", "input_json_delta for a block that is not a tool_use")]
    [InlineData("""{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta"}}""", "input_json_delta without partial_json")]
    [InlineData("""{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","name":"get_weather","input":{}}}""", "tool_use block without id")]
    [InlineData("""{"type":"content_block_start","content_block":{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{}}}""", "content_block_start without index")]
    public void Translate_ToolEventOfWrongShape_ThrowsNamingProblem(string data, string reason)
    {
        var translator = new AnthropicStreamTranslator(FromBody("""{ "messages": [] }""", stream: true), new FixedTimeProvider(Now));
        translator.Translate(DocumentedToolUseStream[0], []);
        translator.Translate(DocumentedToolUseStream[1], []);

        var exception = Assert.Throws<VendorResponseException>(() => translator.Translate(new(null, data), []));

        Assert.Equal($"The model vendor's stream is malformed: {reason}.", exception.Message);
    }

    /// <summary>A request as the gateway builds it: the client's body, and its messages with text parts joined.</summary>
    private static ModelRequest FromBody(string json, bool stream = false)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        var messages = body["messages"]!.AsArray()
            .Select(message => new ChatMessage((string)message!["role"]!, TextOf(message["content"])))
            .ToList();
        return new ModelRequest(TestRequests.AnthropicDeployment, messages, new ChatOptions(Stream: stream), body, ModelContext.Empty);
    }

    private static string TextOf(JsonNode? content) => content switch
    {
        JsonArray parts => string.Join('\n', parts.Where(part => (string?)part!["type"] == "text").Select(part => (string?)part!["text"])),
        JsonValue value => (string?)value ?? string.Empty,
        _ => string.Empty,
    };

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {JsonNode.Parse(expected)!.ToJsonString()}, got {actual?.ToJsonString()}");

    private static JsonObject BodyOf(VendorHttpRequest request) => JsonNode.Parse(request.Body.Span)!.AsObject();

    private static VendorHttpResponse Ok(string body) => new(200, Encoding.UTF8.GetBytes(body), "application/json");
}

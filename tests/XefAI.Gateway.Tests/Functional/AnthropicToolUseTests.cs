using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Tool use, images and untranslatable fields through an Anthropic deployment, end to end: an OpenAI client on one
/// side, WireMock answering with the get_weather examples of Anthropic's documentation on the other.
/// </summary>
public sealed class AnthropicToolUseTests
{
    private const string WeatherSchema = """
        {"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"}},"required":["location"]}
        """;

    /// <summary>The tool use response of Anthropic's tool use documentation.</summary>
    private const string DocumentedToolUseResponse = """
        {"id":"msg_01Aq9w938a90dw8q","type":"message","model":"claude-sonnet-4-5","stop_reason":"tool_use","role":"assistant",
         "content":[{"type":"text","text":"I'll check the current weather in San Francisco for you."},
                    {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius"}}],
         "usage":{"input_tokens":384,"output_tokens":92}}
        """;

    private const string FinalAnswer = """
        {"id":"msg_01Bq9w938a90dw8r","type":"message","model":"claude-sonnet-4-5","stop_reason":"end_turn","role":"assistant",
         "content":[{"type":"text","text":"It is 15 degrees Celsius in San Francisco."}],"usage":{"input_tokens":480,"output_tokens":14}}
        """;

    /// <summary>The tool use response of Anthropic's streaming documentation.</summary>
    private static readonly string DocumentedToolUseStream = string.Concat(
        [
            Event("message_start", """{"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}"""),
            Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            Event("ping", """{"type": "ping"}"""),
            Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check the weather for San Francisco, CA:"}}"""),
            Event("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            Event("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}"""),
            .. new[] { "", "{\\\"location\\\":", " \\\"San", " Francisc", "o,", " CA\\\"", ",", " \\\"unit\\\": \\\"fah", "renheit\\\"}" }.Select(fragment =>
                Event("content_block_delta", $$$"""{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{{{fragment}}}"}}""")),
            Event("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            Event("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}"""),
            Event("message_stop", """{"type":"message_stop"}"""),
        ]);

    public static TheoryData<string, string> Untranslatable => new()
    {
        // request body, field named
        { """{"model":"vendor-chat","messages":[{"role":"user","content":"List the medications."}],"response_format":{"type":"json_schema","json_schema":{"name":"meds","schema":{"type":"object"}}}}""", "response_format" },
        { """{"model":"vendor-chat","stream":true,"messages":[{"role":"user","content":"List the medications."}],"response_format":{"type":"json_object"}}""", "response_format" },
        { """{"model":"vendor-chat","messages":[{"role":"user","content":[{"type":"text","text":"Transcribe this."},{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}}]}]}""", "messages[0].content[1]" },
    };

    [Fact]
    public async Task Post_ToolsWithOfficialSdk_DocumentedToolUseBecomesToolCallsAndToolResultGoesBack()
    {
        using var vendor = new FakeVendor();
        vendor.Server.Given(Request.Create().WithPath("/v1/messages").UsingPost()).InScenario("weather").WillSetStateTo("tool-used")
            .RespondWith(Json(DocumentedToolUseResponse));
        vendor.Server.Given(Request.Create().WithPath("/v1/messages").UsingPost()).InScenario("weather").WhenStateIs("tool-used")
            .RespondWith(Json(FinalAnswer));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => AddAnthropic(c, vendor)));
        var chat = OfficialSdk.ChatClient(host, out var http);
        using var _ = http;
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Get the current weather in a given location", BinaryData.FromString(WeatherSchema)) },
        };
        List<ChatMessage> conversation = [new UserChatMessage("What is the weather like in San Francisco?")];

        ChatCompletion asked = await chat.CompleteChatAsync(conversation, options);

        Assert.Equal(ChatFinishReason.ToolCalls, asked.FinishReason);
        Assert.Equal("I'll check the current weather in San Francisco for you.", Assert.Single(asked.Content).Text);
        var toolCall = Assert.Single(asked.ToolCalls);
        Assert.Equal("toolu_01A09q90qw90lq917835lq9", toolCall.Id);
        Assert.Equal("get_weather", toolCall.FunctionName);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"location":"San Francisco, CA","unit":"celsius"}"""), JsonNode.Parse(toolCall.FunctionArguments.ToString())));
        AssertJson(
            $$"""[{"name":"get_weather","description":"Get the current weather in a given location","input_schema":{{WeatherSchema}}}]""",
            RequestBody(vendor, 0)["tools"]);

        conversation.Add(new AssistantChatMessage(asked));
        conversation.Add(new ToolChatMessage(toolCall.Id, "15 degrees"));
        ChatCompletion answered = await chat.CompleteChatAsync(conversation, options);

        Assert.Equal("It is 15 degrees Celsius in San Francisco.", Assert.Single(answered.Content).Text);
        Assert.Equal(ChatFinishReason.Stop, answered.FinishReason);

        // The follow-up of Anthropic's tool use documentation: the tool_use turn, then the tool_result in a user turn.
        AssertJson(
            """
            [
              {"role":"user","content":"What is the weather like in San Francisco?"},
              {"role":"assistant","content":[
                {"type":"text","text":"I'll check the current weather in San Francisco for you."},
                {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A09q90qw90lq917835lq9","content":"15 degrees"}]}
            ]
            """,
            RequestBody(vendor, 1)["messages"]);
    }

    [Fact]
    public async Task Stream_ToolsWithOfficialSdk_DocumentedToolUseStreamBecomesToolCallUpdates()
    {
        using var vendor = new FakeVendor().StreamsEvents(DocumentedToolUseStream, "/v1/messages");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => AddAnthropic(c, vendor)));
        var chat = OfficialSdk.ChatClient(host, out var http);
        using var _ = http;
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Get the current weather in a given location", BinaryData.FromString(WeatherSchema)) },
            ToolChoice = ChatToolChoice.CreateRequiredChoice(),
        };

        var text = new StringBuilder();
        var arguments = new StringBuilder();
        var toolCalls = new List<(int Index, string? Id, string? Name)>();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("What is the weather like in San Francisco?")], options))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            foreach (var call in update.ToolCallUpdates)
            {
                if (call.ToolCallId is not null)
                {
                    toolCalls.Add((call.Index, call.ToolCallId, call.FunctionName));
                }

                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("Okay, let's check the weather for San Francisco, CA:", text.ToString());
        Assert.Equal([(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather")], toolCalls);
        Assert.Equal("""{"location": "San Francisco, CA", "unit": "fahrenheit"}""", arguments.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        AssertJson("""{"type":"any"}""", vendor.LastRequestBody["tool_choice"]);
        Assert.True((bool)vendor.LastRequestBody["stream"]!);
    }

    [Fact]
    public async Task Post_ImageOnlyMessage_VendorGetsBase64ImageBlock()
    {
        using var vendor = new FakeVendor();
        vendor.Server.Given(Request.Create().WithPath("/v1/messages").UsingPost()).RespondWith(Json(FinalAnswer));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => AddAnthropic(c, vendor)));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(
            """{"model":"vendor-chat","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQSkZJRg=="}}]}]}""");

        Assert.Equal(200, call.Status);
        AssertJson(
            """[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQSkZJRg=="}}]}]""",
            vendor.LastRequestBody["messages"]);
    }

    [Theory]
    [MemberData(nameof(Untranslatable))]
    public async Task Post_UntranslatableField_Returns400NamingFieldAuditedAndNeverReachesVendor(string body, string param)
    {
        using var vendor = new FakeVendor();
        vendor.Server.Given(Request.Create().WithPath("/v1/messages").UsingPost()).RespondWith(Json(FinalAnswer));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => AddAnthropic(c, vendor)));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(body);

        Assert.Equal(400, call.Status);
        Assert.Equal("application/json", call.Response.Content.Headers.ContentType?.MediaType);
        var error = call.Json["error"]!;
        Assert.Equal("unsupported_parameter", (string?)error["code"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal(param, (string?)error["param"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.DoesNotContain("Exception", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        var record = Assert.Single(records);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal("unsupported_parameter", record.ReasonsBeforeConfiguration());
        Assert.Equal(400, (int?)record["statusCode"]);
        Assert.Equal(["unsupported_parameter"], record.AttemptOutcomes());
    }

    private static void AddAnthropic(JsonObject configuration, FakeVendor vendor)
    {
        vendor.Configure(configuration, "anthropic");
        configuration["Models"]!["Deployments"]!["claude"] = new JsonObject { ["Kind"] = "anthropic", ["Cluster"] = "anthropic", ["Model"] = "claude-sonnet-4-5" };
        configuration["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("claude");
    }

    private static string Event(string name, string data) => $"event: {name}\ndata: {data}\n\n";

    private static IResponseBuilder Json(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);

    private static JsonObject RequestBody(FakeVendor vendor, int call) =>
        JsonNode.Parse(vendor.Server.LogEntries.ElementAt(call).RequestMessage!.Body!)!.AsObject();

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {JsonNode.Parse(expected)!.ToJsonString()}, got {actual?.ToJsonString()}");
}

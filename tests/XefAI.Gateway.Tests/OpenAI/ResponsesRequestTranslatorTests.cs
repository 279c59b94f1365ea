using System.Text.Json.Nodes;
using XefAI.Gateway.OpenAI.Responses;

namespace XefAI.Gateway.Tests.OpenAI;

/// <summary>A Responses API request written as the chat completion request it asks for, or refused naming its own field.</summary>
public sealed class ResponsesRequestTranslatorTests
{
    [Fact]
    public void Translate_StringInputWithInstructions_IsASystemAndAUserMessage()
    {
        var chat = Translate("""{"model":"m","instructions":"Be brief.","input":"Hello","temperature":0.2,"max_output_tokens":64,"user":"u1"}""", out var sources);

        Assert.Equal(
            """{"model":"m","temperature":0.2,"user":"u1","max_completion_tokens":64,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}]}""",
            chat.ToJsonString());
        Assert.Equal(["instructions", "input"], sources);
    }

    [Fact]
    public void Translate_ConversationWithFunctionCalls_IsTheChatConversationWithToolCallsAndToolResults()
    {
        var chat = Translate("""
            {"model":"m","input":[
              {"role":"user","content":[{"type":"input_text","text":"Dose?"},{"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"}]},
              {"type":"function_call","call_id":"call_1","name":"weight","arguments":"{}"},
              {"type":"function_call","call_id":"call_2","name":"age","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_1","output":"70 kg"},
              {"type":"function_call_output","call_id":"call_2","output":"54"},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"5 mg."}]},
              {"type":"reasoning","id":"rs_1","summary":[]}
            ]}
            """, out var sources);

        var messages = chat["messages"]!.AsArray();
        Assert.Equal(5, messages.Count);
        Assert.Equal("""[{"type":"text","text":"Dose?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]""", messages[0]!["content"]!.ToJsonString());

        // Calls the model made together are one assistant message, as the chat form has them.
        Assert.Equal(
            """{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"weight","arguments":"{}"}},{"id":"call_2","type":"function","function":{"name":"age","arguments":"{}"}}]}""",
            messages[1]!.ToJsonString());
        Assert.Equal("""{"role":"tool","tool_call_id":"call_1","content":"70 kg"}""", messages[2]!.ToJsonString());
        Assert.Equal("""{"role":"assistant","content":"5 mg."}""", messages[4]!.ToJsonString());
        Assert.Equal(["input[0]", "input[1]", "input[3]", "input[4]", "input[5]"], sources);
    }

    [Fact]
    public void Translate_FunctionCallOutputAsTextParts_IsTheToolResultsTextJoined()
    {
        var chat = Translate("""
            {"model":"m","input":[
              {"type":"function_call","call_id":"call_1","name":"weight","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"70 kg"},{"type":"input_text","text":"on 3 May"}]}
            ]}
            """, out _);

        Assert.Equal("""{"role":"tool","tool_call_id":"call_1","content":"70 kg\non 3 May"}""", chat["messages"]![1]!.ToJsonString());
    }

    [Fact]
    public void Translate_FunctionCallOutputWithAnImage_KeepsItsPartsInTheChatForm()
    {
        var chat = Translate("""
            {"model":"m","input":[
              {"type":"function_call","call_id":"call_1","name":"scan","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"Scan:"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]}
            ]}
            """, out _);

        Assert.Equal(
            """[{"type":"text","text":"Scan:"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]""",
            chat["messages"]![1]!["content"]!.ToJsonString());
    }

    [Fact]
    public void Translate_FunctionToolsChoiceAndJsonSchema_AreNestedTheChatWay()
    {
        var chat = Translate("""
            {"model":"m","input":"x","stream":true,
             "tools":[{"type":"function","name":"lookup","description":"d","parameters":{"type":"object"},"strict":true}],
             "tool_choice":{"type":"function","name":"lookup"},
             "text":{"format":{"type":"json_schema","name":"s","schema":{"type":"object"},"strict":true}},
             "reasoning":{"effort":"low"}}
            """, out _);

        Assert.Equal("""[{"type":"function","function":{"name":"lookup","description":"d","parameters":{"type":"object"},"strict":true}}]""", chat["tools"]!.ToJsonString());
        Assert.Equal("""{"type":"function","function":{"name":"lookup"}}""", chat["tool_choice"]!.ToJsonString());
        Assert.Equal("""{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"},"strict":true}}""", chat["response_format"]!.ToJsonString());
        Assert.Equal("low", (string?)chat["reasoning_effort"]);

        // A stream asks the vendor for its usage: the completed response reports it.
        Assert.Equal("""{"include_usage":true}""", chat["stream_options"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"model":"m","input":"x","previous_response_id":"resp_1"}""", "unsupported_parameter", "previous_response_id")]
    [InlineData("""{"model":"m","input":"x","conversation":"conv_1"}""", "unsupported_parameter", "conversation")]
    [InlineData("""{"model":"m","input":"x","background":true}""", "unsupported_parameter", "background")]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"web_search"}]}""", "unsupported_value", "tools[0].type")]
    [InlineData("""{"model":"m","input":"x","frobnicate":1}""", "unknown_parameter", "frobnicate")]
    [InlineData("""{"model":"m"}""", "missing_required_parameter", "input")]
    [InlineData("""{"model":"m","input":7}""", "invalid_type", "input")]
    [InlineData("""{"model":"m","input":[]}""", "empty_array", "input")]
    [InlineData("""{"model":"m","input":[{"type":"item_reference","id":"x"}]}""", "unsupported_value", "input[0].type")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_audio"}]}]}""", "unsupported_value", "input[0].content[0].type")]
    [InlineData("""{"model":"m","input":[{"type":"function_call_output","call_id":"c"}]}""", "invalid_type", "input[0].output")]
    [InlineData("""{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":7}]}""", "invalid_type", "input[0].output")]
    [InlineData("""{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":[{"type":"refusal","refusal":"no"}]}]}""", "unsupported_value", "input[0].output[0].type")]
    [InlineData("""{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":5}]}]}""", "invalid_type", "input[0].output[0].text")]
    [InlineData("""{"model":"m","input":"x","instructions":5}""", "invalid_type", "instructions")]
    [InlineData("""{"model":"m","input":"x","text":{"format":{"type":"xml"}}}""", "invalid_value", "text.format.type")]
    [InlineData("""{"model":"m","input":"x","reasoning":"high"}""", "invalid_type", "reasoning")]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"function"}]}""", "invalid_type", "tools[0].name")]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"function","name":"f","parameters":"none"}]}""", "invalid_type", "tools[0].parameters")]
    public void Translate_WhatTheGatewayCannotDo_IsRefusedNamingTheResponsesField(string body, string code, string param)
    {
        var translated = ResponsesRequestTranslator.TryTranslate(JsonNode.Parse(body)!.AsObject(), out _, out _, out var error);

        Assert.False(translated);
        Assert.Equal(400, error!.StatusCode);
        Assert.Equal(code, error.Code);
        Assert.Equal(param, error.Param);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"x","Maria Gonzalez":1}""")]
    [InlineData("""{"model":"m","input":"x","987-65-4321":1}""")]
    [InlineData("""{"model":"m","input":"x","mrn-4471923":true}""")]
    [InlineData("""{"model":"m","input":"x","ssn_987-65-4321":true}""")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"987-65-4321"}]}]}""")]
    public void Translate_AnUnknownNameThatIsAValue_IsRefusedWithoutEchoingIt(string body)
    {
        var translated = ResponsesRequestTranslator.TryTranslate(JsonNode.Parse(body)!.AsObject(), out _, out _, out var error);

        Assert.False(translated);
        Assert.Equal(400, error!.StatusCode);
        foreach (var value in new[] { "Maria", "987", "4471923" })
        {
            Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(value, error.Param ?? string.Empty, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Translate_AnEarlierAnswerSentByReference_IsRefusedSayingToTurnStoreOff()
    {
        // The second turn as the Vercel AI SDK's Responses model sends it after a first answer (store left on).
        var body = """{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"Hello"}]},{"type":"item_reference","id":"msg_c9a1137423da428e9f77fddf0cc674f7"},{"role":"user","content":[{"type":"input_text","text":"And again?"}]}]}""";

        var translated = ResponsesRequestTranslator.TryTranslate(JsonNode.Parse(body)!.AsObject(), out _, out _, out var error);

        Assert.False(translated);
        Assert.Equal("input[1].type", error!.Param);
        Assert.Contains("stores no responses", error.Message, StringComparison.Ordinal);
        Assert.Contains("'store' to false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_StoredFalseAndNullsOfRefusedFields_AreAccepted()
    {
        var chat = Translate("""{"model":"m","input":"x","store":false,"previous_response_id":null,"background":false,"include":["message.output_text.logprobs"]}""", out _);

        Assert.Equal("""{"model":"m","messages":[{"role":"user","content":"x"}]}""", chat.ToJsonString());
    }

    private static JsonObject Translate(string body, out List<string> sources)
    {
        Assert.True(ResponsesRequestTranslator.TryTranslate(JsonNode.Parse(body)!.AsObject(), out var chat, out sources, out var error), error?.Message);
        return chat;
    }
}

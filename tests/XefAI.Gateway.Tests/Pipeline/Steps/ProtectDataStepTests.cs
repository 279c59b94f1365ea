using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class ProtectDataStepTests
{
    private const string Name = "Alice Example";
    private const string Token = "[NAME_1]";

    private static readonly PolicyObligations DeIdentify = new() { DeIdentify = true };

    [Fact]
    public async Task Execute_ProtectorReplacesAName_MessagesAndVendorBodyTextsChangeInPlace()
    {
        var request = ChatWithParts();
        var protector = new WordProtector(Name, Token);
        await using var call = Obliged(request);
        call.Clinical = new ClinicalContext([], ["text"], "Patient/1", 1);

        await new ProtectDataStep(protector).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Same(call.Clinical, Assert.Single(protector.Begun));

        // Begun for the calling app, whose remembered clean texts are its own.
        Assert.Equal(call.App!.Id, Assert.Single(protector.Apps));
        Assert.Equal([$"{Token} has asthma.", $"Ask {Token} about it."], call.Messages.Select(m => m.Content));
        var messages = call.VendorBody!["messages"]!.AsArray();
        Assert.Equal($"{Token} has asthma.", (string?)messages[0]!["content"]);
        Assert.Equal($"Ask {Token} about it.", (string?)messages[1]!["content"]![0]!["text"]);
        Assert.Equal("No other findings.", (string?)messages[1]!["content"]![1]!["text"]);

        // Protected where it stands, not copied: nothing reads the parsed client body after this step (the audit
        // keeps the bytes as received).
        Assert.Same(request.Body, call.VendorBody);
        Assert.True(call.Protection!.Replacements > 0);
        Assert.DoesNotContain(Name, call.VendorBody.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_PassThroughProtector_ChangesNothingAndCopiesNothing()
    {
        var request = ChatWithParts();
        var protector = new PassThroughDataProtector();
        await using var call = Obliged(request);

        await new ProtectDataStep(protector).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Same(protector, call.Protection);
        Assert.Same(request.Messages, call.Messages);
        Assert.Same(request.Body, call.VendorBody);
        Assert.Equal(DeIdentificationOutcomes.Applied, call.DeIdentification);
        Assert.Empty(call.Redactions!);
    }

    [Fact]
    public async Task Execute_AName_TheCallRecordsAppliedAndCountsEachValueOnceThoughTheBodyHoldsTheTextsAgain()
    {
        await using var call = Obliged(ChatWithParts());

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Equal(DeIdentificationOutcomes.Applied, call.DeIdentification);
        Assert.Equal([new KeyValuePair<string, int>("name", 2)], call.Redactions);
    }

    [Fact]
    public async Task Execute_NoCandidateObligesDeIdentification_TheOriginalLeavesAndTheCallRecordsNotRequired()
    {
        var request = ChatWithParts();
        var protector = new WordProtector(Name, Token);
        await using var call = CallContexts.Governed(request, obligations: DeIdentify);

        await new ProtectDataStep(protector).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Empty(protector.Begun);
        Assert.Null(call.Protection);
        Assert.Same(request.Messages, call.Messages);
        Assert.Same(request.Body, call.VendorBody);
        Assert.Equal(DeIdentificationOutcomes.NotRequired, call.DeIdentification);
        Assert.Null(call.Redactions);
    }

    [Fact]
    public async Task Execute_UseCaseOptedOut_TheOriginalLeavesEvenForAnUncoveredVendorAndTheCallRecordsOptedOut()
    {
        var request = ChatWithParts();
        var protector = new WordProtector(Name, Token);
        await using var call = CallContexts.Governed(request, useCase: TestConfig.VendorChat with { DeIdentificationOptOut = "Synthetic data only." });
        call.DeIdentificationObliged = true;

        await new ProtectDataStep(protector).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Empty(protector.Begun);
        Assert.Same(request.Messages, call.Messages);
        Assert.Same(request.Body, call.VendorBody);
        Assert.Equal(DeIdentificationOutcomes.OptedOut, call.DeIdentification);
        Assert.Null(call.Redactions);
    }

    [Fact]
    public async Task Execute_ProtectorCannotDeIdentify_422DeidentificationFailedWithItsMessageAndNothingProtectedIsKept()
    {
        var request = ChatWithParts();
        await using var call = Obliged(request);

        await new ProtectDataStep(new RefusingProtector("The text is too large to de-identify.")).ExecuteAsync(call);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Equal("deidentification_failed", call.Error!.Code);
        Assert.EndsWith("The text is too large to de-identify.", call.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Name, call.Error.Message, StringComparison.Ordinal);
        Assert.Null(call.Protection);
        Assert.Null(call.DeIdentification);
        Assert.Null(call.Redactions);
    }

    [Theory]
    [InlineData("image_url")]
    [InlineData("input_audio")]
    [InlineData("file")]
    public async Task Execute_PartThatIsNotText_422DeidentificationFailedEvenWhenTheTextHoldsNoName(string type)
    {
        var request = CallContexts.Chat(TestConfig.Summary.Id, "Is this a rash?") with
        {
            Body = new JsonObject
            {
                ["model"] = "summary",
                ["messages"] = new JsonArray(new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray(
                        new JsonObject { ["type"] = "text", ["text"] = "Is this a rash?" },
                        new JsonObject { ["type"] = type, [type] = new JsonObject { ["data"] = "AAAA" } }),
                }),
            },
        };
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Equal("deidentification_failed", call.Error!.Code);
        Assert.Contains(type, call.Error.Message, StringComparison.Ordinal);
        Assert.Null(call.Protection);
    }

    [Fact]
    public async Task Execute_RefusalsSentBackInTheHistory_AreProtectedAsTextAndLetThrough()
    {
        // An assistant refusal as OpenAI answers it (content null) and a refusal content part: both may quote the patient.
        var refusal = $"I can't discuss {Name}.";
        var request = new GatewayRequest(TestConfig.Summary.Id, CallOperation.Chat)
        {
            Messages = [new ChatMessage("user", "Hello."), new ChatMessage("assistant", refusal), new ChatMessage("assistant", refusal)],
            Body = new JsonObject
            {
                ["model"] = "summary",
                ["messages"] = new JsonArray(
                    new JsonObject { ["role"] = "user", ["content"] = "Hello." },
                    new JsonObject { ["role"] = "assistant", ["content"] = null, ["refusal"] = refusal },
                    new JsonObject
                    {
                        ["role"] = "assistant",
                        ["content"] = new JsonArray(new JsonObject { ["type"] = "refusal", ["refusal"] = refusal }),
                    }),
            },
        };
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
        var messages = call.VendorBody!["messages"]!.AsArray();
        Assert.Equal($"I can't discuss {Token}.", (string?)messages[1]!["refusal"]);
        Assert.Null(messages[1]!["content"]);
        Assert.Equal($"I can't discuss {Token}.", (string?)messages[2]!["content"]![0]!["refusal"]);
        Assert.Equal("refusal", (string?)messages[2]!["content"]![0]!["type"]);
        Assert.Equal($"I can't discuss {Token}.", call.Messages[1].Content);
        Assert.DoesNotContain(Name, call.VendorBody.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_PredictedOutput_IsProtectedAsTextInEitherShape()
    {
        // Predicted Outputs: the note being edited, which the answer is expected to repeat.
        var predicted = $"{Name} was seen today.";
        foreach (JsonNode content in new JsonNode[] { JsonValue.Create(predicted), new JsonArray(new JsonObject { ["type"] = "text", ["text"] = predicted }) })
        {
            var request = CallContexts.Chat(TestConfig.Summary.Id, "Fix the spelling.") with
            {
                Body = new JsonObject
                {
                    ["model"] = "summary",
                    ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Fix the spelling." }),
                    ["prediction"] = new JsonObject { ["type"] = "content", ["content"] = content.DeepClone() },
                },
            };
            await using var call = Obliged(request);

            await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

            Assert.Null(call.Error);
            var sent = call.VendorBody!.ToJsonString();
            Assert.DoesNotContain(Name, sent, StringComparison.Ordinal);
            Assert.Contains($"{Token} was seen today.", sent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Execute_ToolsFunctionsSchemasAndStopSequences_TheirTextsAreProtectedAndTheirShapeKept()
    {
        // An app may write the tools and the answer's schema from the patient's record; what shapes the JSON stays.
        var body = JsonNode.Parse($$"""
            {
              "model": "summary",
              "messages": [{ "role": "user", "content": "Fetch the labs." }],
              "stop": ["{{Name}}:", "END"],
              "tools": [{
                "type": "function",
                "function": {
                  "name": "get_labs",
                  "description": "Labs of {{Name}}.",
                  "parameters": {
                    "type": "object",
                    "title": "Labs for {{Name}}",
                    "properties": {
                      "patient": { "type": "string", "enum": ["{{Name}}", "someone else"], "description": "Always {{Name}}." },
                      "named": { "type": "string", "pattern": "^[A-Z][a-z]+$", "default": { "who": "{{Name}}" } }
                    },
                    "required": ["patient"]
                  }
                }
              }],
              "functions": [{ "name": "old_style", "description": "For {{Name}}", "parameters": { "type": "object", "examples": [["{{Name}}"]] } }],
              "response_format": {
                "type": "json_schema",
                "json_schema": { "name": "summary", "description": "A summary of {{Name}}", "schema": { "type": "object", "const": "{{Name}}" } }
              }
            }
            """)!.AsObject();
        var request = CallContexts.Chat(TestConfig.Summary.Id, "Fetch the labs.") with
        {
            Body = body,
            Options = new ChatOptions(Stop: [$"{Name}:", "END"]),
        };
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
        var sent = call.VendorBody!;
        Assert.Equal($"{Token}:", (string?)sent["stop"]![0]);
        Assert.Equal("END", (string?)sent["stop"]![1]);
        Assert.Equal([$"{Token}:", "END"], call.Request!.Options.Stop);
        var function = sent["tools"]![0]!["function"]!;
        Assert.Equal("get_labs", (string?)function["name"]);
        Assert.Equal($"Labs of {Token}.", (string?)function["description"]);
        var parameters = function["parameters"]!;
        Assert.Equal($"Labs for {Token}", (string?)parameters["title"]);
        Assert.Equal("object", (string?)parameters["type"]);
        var patient = parameters["properties"]!["patient"]!;
        Assert.Equal(Token, (string?)patient["enum"]![0]);
        Assert.Equal("someone else", (string?)patient["enum"]![1]);
        Assert.Equal($"Always {Token}.", (string?)patient["description"]);

        // A property's name and a pattern shape the answer: they are the app's, and stay.
        var named = parameters["properties"]!["named"]!;
        Assert.Equal("^[A-Z][a-z]+$", (string?)named["pattern"]);
        Assert.Equal(Token, (string?)named["default"]!["who"]);
        Assert.Equal("patient", (string?)parameters["required"]![0]);
        Assert.Equal($"For {Token}", (string?)sent["functions"]![0]!["description"]);
        Assert.Equal(Token, (string?)sent["functions"]![0]!["parameters"]!["examples"]![0]![0]);
        var schema = sent["response_format"]!["json_schema"]!;
        Assert.Equal($"A summary of {Token}", (string?)schema["description"]);
        Assert.Equal(Token, (string?)schema["schema"]!["const"]);
        Assert.Equal("summary", (string?)schema["name"]);
        Assert.True(call.Protection!.Replacements > 0);
    }

    [Theory]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"labs_of_Alice Example"}}]}""", "tools[0].function.name")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"Alice Example":{"type":"string"}}}}}]}""", "tools[0].function.parameters")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"string","pattern":"^Alice Example$"}}}]}""", "tools[0].function.parameters")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","required":["Alice Example"]}}}]}""", "tools[0].function.parameters")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","default":{"Alice Example":1}}}}]}""", "tools[0].function.parameters")]
    [InlineData("""{"functions":[{"name":"for_Alice Example"}]}""", "functions[0].name")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"Alice Example"}}}""", "tool_choice.function.name")]
    [InlineData("""{"functions":[{"name":"f"}],"function_call":{"name":"Alice Example"}}""", "function_call.name")]
    [InlineData("""{"functions":[{"name":"f"}],"function_call":"Alice Example"}""", "function_call")]
    [InlineData("""{"functions":[{"name":["Alice Example"]}]}""", "functions[0].name")]
    [InlineData("""{"functions":[{"name":"f"}],"function_call":{"name":{"n":"Alice Example"}}}""", "function_call.name")]
    [InlineData("""{"messages":[{"role":"assistant","content":"ok","function_call":["Alice Example"]}]}""", "messages[0].function_call")]
    [InlineData("""{"messages":[{"role":"assistant","content":"ok","function_call":{"name":"f","arguments":["Alice Example"]}}]}""", "messages[0].function_call")]
    [InlineData("""{"messages":[{"role":"assistant","content":"ok","function_call":{"name":["Alice Example"],"arguments":"{}"}}]}""", "messages[0].function_call.name")]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"name":"Alice Example","schema":{}}}}""", "response_format.json_schema.name")]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"$defs":{"Alice Example":{}}}}}}""", "response_format.json_schema.schema")]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"name":"x","description":{"Alice Example":1},"schema":{}}}}""", "response_format.json_schema.description")]
    [InlineData("""{"functions":[{"name":"f","description":[{"Alice Example":1}]}]}""", "functions[0].description")]
    [InlineData("""{"prediction":{"type":"content","content":{"Alice Example":1}}}""", "prediction.content")]
    public async Task Execute_ANameOrShapeTheVendorMustGetAsWrittenHoldsAValue_422NamingItAndNothingLeaves(string json, string path)
    {
        await using var call = await ProtectBodyAsync(json);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Equal("deidentification_failed", call.Error!.Code);
        Assert.Contains($"'{path}'", call.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice", call.Error.Message, StringComparison.Ordinal);
        Assert.Null(call.Protection);
    }

    [Fact]
    public async Task Execute_ToolCallSentBackUnderAFunctionNameHoldingAValue_422()
    {
        var request = ToolCallConversation("call_abc123", "When is the next visit?");
        request.Body!["messages"]![1]!["tool_calls"]![0]!["function"]!["name"] = "visit_of_Alice Example";
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Contains("'messages[1].tool_calls[0].function.name'", call.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_PredictedOutputAndDescriptionsSentAsLists_EveryStringInThemIsProtected()
    {
        var body = JsonNode.Parse($$"""
            {
              "model": "summary",
              "messages": [{ "role": "user", "content": "Summarize." }],
              "prediction": { "type": "content", "content": ["{{Name}} is stable.", { "type": "text", "text": "Signed {{Name}}" }] },
              "functions": [{ "name": "f", "description": ["About {{Name}}"] }],
              "response_format": { "type": "json_schema", "json_schema": { "name": "x", "description": { "type": "{{Name}}" }, "schema": {} } }
            }
            """)!.AsObject();
        await using var call = Obliged(CallContexts.Chat(TestConfig.Summary.Id, "Summarize.") with { Body = body });

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.DoesNotContain(Name, call.VendorBody!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal($"{Token} is stable.", (string?)call.VendorBody["prediction"]!["content"]![0]);
        Assert.Equal($"Signed {Token}", (string?)call.VendorBody["prediction"]!["content"]![1]!["text"]);
        Assert.Equal($"About {Token}", (string?)call.VendorBody["functions"]![0]!["description"]![0]);
        Assert.Equal(Token, (string?)call.VendorBody["response_format"]!["json_schema"]!["description"]!["type"]);
    }

    [Fact]
    public async Task Execute_SchemaStringsBesideItsAnnotations_AreProtectedAndItsShapeKept()
    {
        // Every string in a schema reaches the vendor: a comment, a keyword of the app's own, a description given as a list.
        var body = JsonNode.Parse($$"""
            {
              "model": "summary",
              "messages": [{ "role": "user", "content": "Fetch the labs." }],
              "tools": [{ "type": "function", "function": { "name": "get_labs", "parameters": {
                "type": "object",
                "$comment": "Built for {{Name}}",
                "x-note": { "deep": ["{{Name}}"] },
                "properties": {
                  "q": { "type": ["string", "null"], "format": "date", "pattern": "^[a-z]+$", "note": "{{Name}}", "description": ["About {{Name}}"] },
                  "r": { "$ref": "#/$defs/r" }
                },
                "required": ["q"],
                "$defs": { "r": { "type": "string", "$comment": "{{Name}} again" } }
              } } }],
              "response_format": { "type": "json_schema", "json_schema": { "name": "x", "schema": { "type": "object", "x-origin": "{{Name}}" } } }
            }
            """)!.AsObject();
        await using var call = Obliged(CallContexts.Chat(TestConfig.Summary.Id, "Fetch the labs.") with { Body = body });

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
        var sent = call.VendorBody!.ToJsonString();
        Assert.DoesNotContain(Name, sent, StringComparison.Ordinal);
        var parameters = call.VendorBody!["tools"]![0]!["function"]!["parameters"]!;
        Assert.Equal($"Built for {Token}", (string?)parameters["$comment"]);
        Assert.Equal(Token, (string?)parameters["x-note"]!["deep"]![0]);
        var q = parameters["properties"]!["q"]!;
        Assert.Equal(Token, (string?)q["note"]);
        Assert.Equal($"About {Token}", (string?)q["description"]![0]);
        Assert.Equal("""["string","null"]""", q["type"]!.ToJsonString());
        Assert.Equal("date", (string?)q["format"]);
        Assert.Equal("^[a-z]+$", (string?)q["pattern"]);
        Assert.Equal("#/$defs/r", (string?)parameters["properties"]!["r"]!["$ref"]);
        Assert.Equal("q", (string?)parameters["required"]![0]);
        Assert.Equal($"{Token} again", (string?)parameters["$defs"]!["r"]!["$comment"]);
        Assert.Equal(Token, (string?)call.VendorBody["response_format"]!["json_schema"]!["schema"]!["x-origin"]);
    }

    [Fact]
    public async Task Execute_AStopSequenceAsOneString_IsProtected()
    {
        var request = CallContexts.Chat(TestConfig.Summary.Id, "Write it.") with
        {
            Body = new JsonObject
            {
                ["model"] = "summary",
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Write it." }),
                ["stop"] = $"Signed, {Name}",
            },
        };
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal($"Signed, {Token}", (string?)call.VendorBody!["stop"]);
    }

    [Theory]
    [InlineData("""{"patient_note":"Alice Example, seen today"}""", true)]
    [InlineData("""{"extra_body":{"hint":["be brief"]}}""", true)]
    [InlineData("""{"top_k":40,"min_p":0.1,"repetition_penalty":1.1,"skip_special_tokens":true}""", false)]
    public async Task Execute_AFieldTheGatewayDoesNotKnow_422WhenItHoldsTextAndPassesWhenItHoldsNone(string extra, bool refused)
    {
        var body = JsonNode.Parse(extra)!.AsObject();
        body["model"] = "summary";
        body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Summarize." });
        await using var call = Obliged(CallContexts.Chat(TestConfig.Summary.Id, "Summarize.") with { Body = body });

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        if (refused)
        {
            Assert.Equal(422, call.Error?.StatusCode);
            Assert.Equal("deidentification_failed", call.Error!.Code);
            Assert.Contains(body.First().Key, call.Error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Name, call.Error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(call.Error);
            Assert.Equal(40, (int?)call.VendorBody!["top_k"]);
        }
    }

    [Theory]
    [InlineData("""{"Alice Example":1}""")]
    [InlineData("""{"top_k":{"Alice Example":1}}""")]
    [InlineData("""{"AliceExample":true}""")]
    [InlineData("""{"987-65-4321":1}""")]
    [InlineData("""{"top_k":{"555-0142":1}}""")]
    [InlineData("""{"mrn-4471923":true}""")]
    [InlineData("""{"ssn_987-65-4321":null}""")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize.","Alice Example":1}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"stream_options":{"include_usage":true,"Alice Example":[1,2]}}""")]
    public async Task Execute_AMemberTheGatewayDoesNotKnowNamedLikeAPerson_422WhateverItsValue(string json)
    {
        await using var call = await ProtectBodyAsync(json);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Equal("deidentification_failed", call.Error!.Code);
        Assert.DoesNotContain("Alice", call.Error.Message, StringComparison.Ordinal);
        Assert.Null(call.Protection);
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize.","note":"Alice Example"}]}""", "messages[0].note")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"text","text":"Summarize.","note":"Alice Example"}]}]}""", "messages[0].content[0].note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}","note":"Alice Example"}}]}]}""", "messages[1].tool_calls[0].function.note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"tools":[{"type":"function","note":"Alice Example","function":{"name":"f"}}]}""", "tools[0].note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{},"note":"Alice Example"}}}""", "response_format.json_schema.note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"stream_options":{"include_usage":true,"note":"Alice Example"}}""", "stream_options.note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"prediction":{"type":"content","content":"x","note":"Alice Example"}}""", "prediction.note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"tool_choice":{"type":"function","function":{"name":"f"},"note":"Alice Example"}}""", "tool_choice.note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"tool_choice":{"type":"function","function":{"name":"f","note":"Alice Example"}}}""", "tool_choice.function.note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","note":"Alice Example","tools":[]}}}""", "tool_choice.allowed_tools.note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"function_call":{"name":"f","note":"Alice Example"}}""", "function_call.note")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."}],"tools":[{"type":"custom","custom":{"name":"g","description":"for Alice Example"}}]}""", "tools[0]")]
    [InlineData("""{"messages":[{"role":"user","content":"Summarize."},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"custom","custom":{"name":"g","input":"Alice Example"}}]}]}""", "messages[1].tool_calls[0]")]
    public async Task Execute_NestedFieldTheGatewayDoesNotKnowHoldingText_422NamingItAndNothingLeaves(string json, string path)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        body["model"] = "summary";
        await using var call = Obliged(CallContexts.Chat(TestConfig.Summary.Id, "Summarize.") with { Body = body });

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Equal("deidentification_failed", call.Error!.Code);
        Assert.Contains($"'{path}", call.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Name, call.Error.Message, StringComparison.Ordinal);
        Assert.Null(call.Protection);
    }

    [Theory]
    [InlineData("""{"service_tier":"for Alice Example"}""", "service_tier")]
    [InlineData("""{"reasoning_effort":"Alice Example"}""", "reasoning_effort")]
    [InlineData("""{"verbosity":"SSN 987-65-4321"}""", "verbosity")]
    [InlineData("""{"modalities":["text","Alice Example"]}""", "modalities[1]")]
    [InlineData("""{"prediction":{"type":"Alice Example","content":"x"}}""", "prediction.type")]
    [InlineData("""{"tool_choice":{"type":"Alice Example"}}""", "tool_choice.type")]
    [InlineData("""{"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"Alice Example","tools":[]}}}""", "tool_choice.allowed_tools.mode")]
    [InlineData("""{"logit_bias":{"Alice Example":5}}""", "logit_bias")]
    [InlineData("""{"prediction":{"type":["Alice Example"],"content":"x"}}""", "prediction.type")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","strict":"Alice Example"}}]}""", "tools[0].function.strict")]
    [InlineData("""{"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":["Alice Example"],"tools":[]}}}""", "tool_choice.allowed_tools.mode")]
    public async Task Execute_AWordFieldHoldingText_422NamingItAndNothingLeaves(string json, string path)
    {
        // These go to the vendor as they are: only the vendor's words (and token ids) may be in them.
        var body = JsonNode.Parse(json)!.AsObject();
        body["model"] = "summary";
        body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Summarize." });
        await using var call = Obliged(CallContexts.Chat(TestConfig.Summary.Id, "Summarize.") with { Body = body });

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Equal("deidentification_failed", call.Error!.Code);
        Assert.Contains($"'{path}'", call.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice", call.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("987", call.Error.Message, StringComparison.Ordinal);
        Assert.Null(call.Protection);
    }

    [Fact]
    public async Task Execute_WordFieldsHoldingTheVendorsWords_Pass()
    {
        var body = JsonNode.Parse("""
            {"model":"summary","messages":[{"role":"user","content":"Summarize."}],"service_tier":"flex","reasoning_effort":"low",
             "verbosity":"medium","modalities":["text"],"prediction":{"type":"content","content":"x"},"logit_bias":{"50256":-100},
             "tools":[{"type":"function","function":{"name":"f"}}],
             "tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[{"type":"function","function":{"name":"f"}}]}}}
            """)!.AsObject();
        await using var call = Obliged(CallContexts.Chat(TestConfig.Summary.Id, "Summarize.") with { Body = body });

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal("flex", (string?)call.VendorBody!["service_tier"]);
        Assert.Equal(-100, (int?)call.VendorBody["logit_bias"]!["50256"]);
    }

    [Fact]
    public async Task Execute_AssistantMessageSentBackAsTheSdkGotIt_PassesWithItsEmptyExtras()
    {
        // The SDKs append the answer's message as it came: annotations and audio are there, empty.
        var body = JsonNode.Parse("""
            {"model":"summary","messages":[{"role":"user","content":"Summarize."},
             {"role":"assistant","content":"Done.","refusal":null,"annotations":[],"audio":null,"function_call":null,"tool_calls":[]},
             {"role":"user","content":"Thanks, Alice Example."}],
             "stream_options":{"include_usage":true},"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{},"strict":true}}]}
            """)!.AsObject();
        await using var call = Obliged(CallContexts.Chat(TestConfig.Summary.Id, "Summarize.") with { Body = body });

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
    }

    [Fact]
    public async Task Execute_MetadataKeyNamingThePatient_IsProtectedLikeItsValue()
    {
        var body = JsonNode.Parse("""{"model":"summary","messages":[{"role":"user","content":"Summarize."}],"metadata":{"Alice Example":"follow-up","ward":"Alice Example"}}""")!.AsObject();
        await using var call = Obliged(CallContexts.Chat(TestConfig.Summary.Id, "Summarize.") with { Body = body });

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
        var metadata = call.VendorBody!["metadata"]!.AsObject();
        Assert.Equal("follow-up", (string?)metadata[Token]);
        Assert.Equal(Token, (string?)metadata["ward"]);
        Assert.DoesNotContain(Name, call.VendorBody.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_ProtectorFaults_422DeidentificationFailedWithoutItsMessage()
    {
        var request = ChatWithParts();
        await using var call = Obliged(request);

        await new ProtectDataStep(new RefusingProtector($"{Name} broke the scanner", fault: true)).ExecuteAsync(call);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Equal("deidentification_failed", call.Error!.Code);
        Assert.DoesNotContain(Name, call.Error.Message, StringComparison.Ordinal);
        Assert.Null(call.Protection);
    }

    [Fact]
    public async Task Execute_ProtectorRunsOutOfMemory_ItGoesOnToThePipelineInsteadOfA422()
    {
        // Found under load (64 connections sending 1 MB of PHI-dense text under a 400 MB heap limit): the caller was told
        // its text could not be de-identified, a 422 the SDKs never retry, when the gateway had only run out of memory.
        var request = ChatWithParts();
        await using var call = Obliged(request);

        await Assert.ThrowsAsync<OutOfMemoryException>(
            async () => await new ProtectDataStep(new RefusingProtector("no memory", outOfMemory: true)).ExecuteAsync(call));

        Assert.Null(call.Error);
        Assert.Null(call.Protection);
    }

    [Fact]
    public async Task Execute_ProtectorFindsNothing_ChangesNothingAndCopiesNothing()
    {
        var request = CallContexts.Chat(TestConfig.Summary.Id, "Stable, discharged home.");
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Same(request.Messages, call.Messages);
        Assert.Same(request.Body, call.VendorBody);
        Assert.Equal(0, call.Protection!.Replacements);
    }

    [Fact]
    public async Task Execute_ConversationWithoutVendorBody_TheMessagesAreStillProtected()
    {
        var request = new GatewayRequest(TestConfig.Summary.Id, CallOperation.Chat) { Messages = [new ChatMessage("user", $"{Name} has asthma.")] };
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.VendorBody);
        Assert.Equal($"{Token} has asthma.", Assert.Single(call.Messages).Content);
    }

    [Fact]
    public async Task Execute_EmbeddingsInputs_AreProtectedInACopyOfTheBody()
    {
        var clientBody = new JsonObject { ["model"] = "summary", ["input"] = new JsonArray($"{Name} has asthma.", "No name here.") };
        var embeddings = new OpenAIEmbeddingRequest(clientBody, "summary", [$"{Name} has asthma.", "No name here."], null, EmbeddingEncoding.Float, null, null);
        var request = new GatewayRequest(TestConfig.Summary.Id, CallOperation.Embeddings) { Embeddings = embeddings };
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        var protectedInputs = call.Request!.Embeddings!;
        Assert.Equal([$"{Token} has asthma.", "No name here."], protectedInputs.Inputs);
        Assert.Equal($"{Token} has asthma.", (string?)protectedInputs.Body["input"]![0]);
        Assert.Equal($"{Name} has asthma.", (string?)clientBody["input"]![0]);
    }

    [Fact]
    public async Task Execute_EmbeddingsWithAFieldTheGatewayDoesNotKnowHoldingText_422AndNothingProtectedIsKept()
    {
        var clientBody = new JsonObject { ["model"] = "summary", ["input"] = "No name here.", ["source_note"] = $"{Name}, clinic note" };
        var embeddings = new OpenAIEmbeddingRequest(clientBody, "summary", ["No name here."], null, EmbeddingEncoding.Float, null, null);
        await using var call = Obliged(new GatewayRequest(TestConfig.Summary.Id, CallOperation.Embeddings) { Embeddings = embeddings });

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Contains("source_note", call.Error!.Message, StringComparison.Ordinal);
        Assert.Null(call.Protection);
    }

    /// <summary>A governed call to the vendor use case for which governance obliges de-identification.</summary>
    [Fact]
    public async Task Execute_ToolCallArgumentsTheClientSendsBack_AreProtectedAndCountedAndStayJson()
    {
        // The model's earlier tool call, as the client got it back with the value restored, and the legacy form.
        var arguments = $"{{\"patient\":\"{Name}\",\"mrn\":\"12345\"}}";
        var body = new JsonObject
        {
            ["model"] = "summary",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "When is the next visit?" },
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "call_1",
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "next_visit", ["arguments"] = arguments },
                    }),
                },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "Thursday" },
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["function_call"] = new JsonObject { ["name"] = "next_visit", ["arguments"] = arguments },
                }),
        };
        var request = new GatewayRequest(TestConfig.Summary.Id, CallOperation.Chat)
        {
            Messages = [new("user", "When is the next visit?"), new("assistant", ""), new("tool", "Thursday"), new("assistant", "")],
            Body = body,
        };
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
        var messages = call.VendorBody!["messages"]!.AsArray();
        var expected = $"{{\"patient\":\"{Token}\",\"mrn\":\"12345\"}}";
        Assert.Equal(expected, (string?)messages[1]!["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal(expected, (string?)messages[3]!["function_call"]!["arguments"]);
        Assert.DoesNotContain(Name, call.VendorBody.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal([new KeyValuePair<string, int>("name", 2)], call.Redactions);
    }

    [Theory]
    [InlineData(Name, Token)]
    [InlineData("call_abc123", "call_abc123")]
    public async Task Execute_ToolCallIdsTheAppWrote_AreProtectedAndStillPair(string id, string sent)
    {
        // An app may write a name or an MRN into the ids it gives the model's tool calls; a vendor's own id passes as it is.
        await using var call = Obliged(ToolCallConversation(id, "When is the next visit?"));

        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);

        Assert.Null(call.Error);
        var messages = call.VendorBody!["messages"]!.AsArray();
        Assert.Equal(sent, (string?)messages[1]!["tool_calls"]![0]!["id"]);
        Assert.Equal(sent, (string?)messages[2]!["tool_call_id"]);
        Assert.DoesNotContain(Name, call.VendorBody.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call_8sGsn3ZCGyvZ5Hf4qZz3jCk9", true)]
    [InlineData("toolu_01T1x1fJ34qAmk2tNTrN7Up6", true)]
    [InlineData("call_abc123", false)]
    [InlineData("call_4471923", false)]
    [InlineData("call_8sGsn3ZCG4471923qZz3jCk", false)]
    [InlineData("call_8sGsn3ZCGyvZ5Hf4qZz3jC-9", false)]
    [InlineData("Maria Gonzalez", false)]
    [InlineData("fc_8sGsn3ZCGyvZ5Hf4qZz3jCk9", false)]
    public void IsVendorIssuedId_OnlyTheShapeVendorsIssueWithoutALongRunOfDigits(string id, bool expected) =>
        Assert.Equal(expected, ProtectDataStep.IsVendorIssuedId(id));

    [Fact]
    public async Task Execute_VendorIssuedToolCallIdWhoseRandomPartADeIdentifierWouldFlag_GoesAsItIs()
    {
        // The real de-identifier takes OpenAI's random 24 characters for an identifier; the id is the vendor's own.
        const string Id = "call_8sGsn3ZCGyvZ5Hf4qZz3jCk9";
        await using var call = Obliged(ToolCallConversation(Id, "When?"));

        await new ProtectDataStep(new WordProtector("8sGsn3ZCGyvZ5Hf4qZz3jCk9", "[ID_1]")).ExecuteAsync(call);

        var messages = call.VendorBody!["messages"]!.AsArray();
        Assert.Equal(Id, (string?)messages[1]!["tool_calls"]![0]!["id"]);
        Assert.Equal(Id, (string?)messages[2]!["tool_call_id"]);
    }

    [Fact]
    public async Task Execute_ProtectionWouldBreakTheToolCallsJson_422AndNothingLeaves()
    {
        // A protector whose token is not JSON-safe stands for any replacement that would cut through the JSON.
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "assistant",
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = "call_1",
                    ["function"] = new JsonObject { ["name"] = "f", ["arguments"] = $"{{\"patient\":\"{Name}\"}}" },
                }),
            }),
        };
        var request = new GatewayRequest(TestConfig.Summary.Id, CallOperation.Chat) { Messages = [new("assistant", "")], Body = body };
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, "\"[NAME_1]")).ExecuteAsync(call);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Equal("deidentification_failed", call.Error?.Code);
        Assert.DoesNotContain(Name, call.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_FieldsBesideTheConversation_EndUserIdsAndNamesBecomeStablePseudonymsAndMetadataIsProtected()
    {
        var body = new JsonObject
        {
            ["model"] = "summary",
            ["user"] = "alice@example.org",
            ["safety_identifier"] = "alice@example.org",
            ["prompt_cache_key"] = "patient-alice",
            ["metadata"] = new JsonObject { ["patient"] = Name, ["ward"] = "4B" },
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["name"] = "alice_example", ["content"] = "When is the visit?" }),
        };
        var request = new GatewayRequest(TestConfig.Summary.Id, CallOperation.Chat)
        {
            Messages = [new("user", "When is the visit?", "alice_example")],
            Options = new ChatOptions(User: "alice@example.org"),
            Body = body,
            UserId = "alice@example.org",
        };
        await using var call = Obliged(request);

        await new ProtectDataStep(new WordProtector(Name, Token), pseudonymizer: new FakePseudonymizer()).ExecuteAsync(call);

        Assert.Null(call.Error);
        var sent = call.VendorBody!;
        var user = (string?)sent["user"];
        Assert.Matches("^pn-[0-9a-zA-Z_-]+$", user);
        Assert.Equal(user, (string?)sent["safety_identifier"]);
        Assert.NotEqual(user, (string?)sent["prompt_cache_key"]);
        Assert.Matches("^[a-zA-Z0-9_-]{1,64}$", (string?)sent["messages"]![0]!["name"]);
        Assert.Equal(Token, (string?)sent["metadata"]!["patient"]);
        Assert.Equal("4B", (string?)sent["metadata"]!["ward"]);
        Assert.DoesNotContain("alice", sent.ToJsonString(), StringComparison.OrdinalIgnoreCase);

        // The options a provider writes the end user from say the same; the audit keeps the caller's own id.
        Assert.Equal(user, call.Request!.Options.User);
        Assert.Equal("alice@example.org", call.Request.UserId);

        // Stable: the same user is the same pseudonym on the next call.
        var again = new JsonObject { ["user"] = "alice@example.org", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "x" }) };
        await using var next = Obliged(new GatewayRequest(TestConfig.Summary.Id, CallOperation.Chat) { Messages = [new("user", "x")], Body = again });
        await new ProtectDataStep(new WordProtector(Name, Token), pseudonymizer: new FakePseudonymizer()).ExecuteAsync(next);
        Assert.Equal(user, (string?)next.VendorBody!["user"]);
    }

    private static Gateway.Pipeline.CallContext Obliged(GatewayRequest request)
    {
        var call = CallContexts.Governed(request, useCase: TestConfig.VendorChat, obligations: DeIdentify);
        call.DeIdentificationObliged = true;
        return call;
    }

    /// <summary>One message with a string content, one with a text part and an image part.</summary>
    /// <summary>A question, the model's tool call with <paramref name="id"/>, and the tool's answer to it.</summary>
    private static GatewayRequest ToolCallConversation(string id, string question) => new(TestConfig.Summary.Id, CallOperation.Chat)
    {
        Messages = [new("user", question), new("assistant", ""), new("tool", "Thursday")],
        Body = new JsonObject
        {
            ["model"] = "summary",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = question },
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "next_visit", ["arguments"] = "{}" },
                    }),
                },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = id, ["content"] = "Thursday" }),
        },
    };

    private static GatewayRequest ChatWithParts() => new(TestConfig.Summary.Id, CallOperation.Chat)
    {
        Messages = [new ChatMessage("user", $"{Name} has asthma."), new ChatMessage("user", $"Ask {Name} about it.")],
        Body = new JsonObject
        {
            ["model"] = "summary",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = $"{Name} has asthma." },
                new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray(
                        new JsonObject { ["type"] = "text", ["text"] = $"Ask {Name} about it." },
                        new JsonObject { ["type"] = "text", ["text"] = "No other findings." }),
                }),
        },
    };

    /// <summary>A de-identifier that cannot read what it is given.</summary>
    private sealed class RefusingProtector(string reason, bool fault = false, bool outOfMemory = false) : IDataProtector, IDataProtection
    {
        public string Name => "test-refusing";

        public bool DeIdentifies => true;

        public int Replacements => 0;

        public IReadOnlyDictionary<string, int> ReplacementsByKind { get; } = new Dictionary<string, int>();

        public IDataProtection Begin(ClinicalContext context) => this;

        public string Protect(string text) =>
            outOfMemory ? throw new OutOfMemoryException(reason)
            : fault ? throw new InvalidOperationException(reason)
            : throw new DeIdentificationException(reason);

        public string Restore(string text) => text;
    }

    /// <summary>A summary call with <paramref name="json"/> as its body (a user message added where it has none), protected.</summary>
    private static async Task<CallContext> ProtectBodyAsync(string json)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        body["model"] = "summary";
        body["messages"] ??= new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Summarize." });
        var call = Obliged(CallContexts.Chat(TestConfig.Summary.Id, "Summarize.") with { Body = body });
        await new ProtectDataStep(new WordProtector(Name, Token)).ExecuteAsync(call);
        return call;
    }
}

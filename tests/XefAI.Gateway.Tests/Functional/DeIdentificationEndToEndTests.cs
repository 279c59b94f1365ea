using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The real de-identifier, end to end: a note full of PHI and Medplum's FHIR Bundle for Homer Simpson go through the
/// running gateway to a WireMock vendor without a BAA. What the vendor received is read back from its request log.
/// </summary>
public sealed class DeIdentificationEndToEndTests
{
    private const string Note = """
        DISCHARGE SUMMARY
        Patient: Homer Simpson    MRN: 00482913    DOB: 05/12/1956
        Address: 742 Evergreen Terrace, Springfield, IL 62704. Phone (217) 555-7334. Email chunkylover53@aol.com.
        Mr. Simpson is a 68-year-old man with type 2 diabetes and Parkinson disease admitted on 03/14/2024 with chest pain.
        Troponin 0.04 ng/mL, HbA1c 8.1%, BP 150/92, HR 96. Started metoprolol 25 mg PO BID and atorvastatin 40 mg daily.
        His wife Marge Simpson and Dr. Julius Hibbert agree with discharge home on March 18, 2024.
        """;

    private static readonly string[] Identifiers =
    [
        "Homer", "Simpson", "Marge", "Hibbert", "00482913", "05/12/1956", "742 Evergreen", "555-7334", "chunkylover53", "03/14/2024",
        "March 18", "Springfield", "62704", "1956-05-12", "\"Patient/123\"",
    ];

    private static readonly string[] ClinicalFacts =
    [
        "type 2 diabetes", "Parkinson disease", "Troponin 0.04 ng/mL", "HbA1c 8.1%", "BP 150/92", "metoprolol 25 mg PO BID", "atorvastatin 40 mg daily",
        "68-year-old", "Specimen hemolyzed", "IL 627",
    ];

    [Fact]
    public async Task A_name_signed_in_a_later_message_is_replaced_in_the_earlier_ones_too()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Noted."));
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();

        // Read alone, the first message names no one the scanner can tell; the last one signs with the full name.
        var call = await client.PostChatAsync(new JsonObject
        {
            ["model"] = "vendor-chat",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "Quixley here again about the refill." },
                new JsonObject { ["role"] = "assistant", ["content"] = "Sure, which medication?" },
                new JsonObject { ["role"] = "user", ["content"] = "The lisinopril. Thanks, Jonathan Quixley" }),
        }.ToJsonString());

        Assert.Equal(200, call.Status);
        var messages = vendor.LastRequestBody["messages"]!.AsArray();
        Assert.Equal("[NAME_1] here again about the refill.", (string?)messages[0]!["content"]);
        Assert.DoesNotContain("Quixley", vendor.LastRequestBody.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_call_round_trip_gives_the_client_its_values_and_the_vendor_only_tokens()
    {
        // The model asks the client's tool to look the patient up, with the tokens it was shown.
        var toolCall = Pipeline.TestSupport.CallContexts.ToolCallAnswer("call_1", "find_patient", """{"name":"[NAME_1] [NAME_2]","mrn":"[MRN_1]"}""").Completion.ToJsonString();
        using var vendor = new FakeVendor().AnswersWith(200, toolCall);
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();
        var user = new JsonObject { ["role"] = "user", ["content"] = "Patient: Homer Simpson    MRN: 00482913. When is his next visit?" };
        var tools = new JsonArray(new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = "find_patient", ["parameters"] = new JsonObject { ["type"] = "object" } },
        });

        var first = await client.PostChatAsync(new JsonObject { ["model"] = "vendor-chat", ["messages"] = new JsonArray(user.DeepClone()), ["tools"] = tools.DeepClone() }.ToJsonString());

        Assert.Equal(200, first.Status);
        var assistant = first.Json["choices"]![0]!["message"]!.AsObject();
        var arguments = JsonNode.Parse((string)assistant["tool_calls"]![0]!["function"]!["arguments"]!)!;
        Assert.Equal("Homer Simpson", (string?)arguments["name"]);
        Assert.Equal("00482913", (string?)arguments["mrn"]);

        // The client runs its tool and sends the model's call back with the values it got, and the tool's output.
        var second = await client.PostChatAsync(new JsonObject
        {
            ["model"] = "vendor-chat",
            ["tools"] = tools.DeepClone(),
            ["messages"] = new JsonArray(
                user.DeepClone(),
                assistant.DeepClone(),
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = """{"next_visit":"March 18, 2024 with Dr. Julius Hibbert"}""" }),
        }.ToJsonString());

        Assert.Equal(200, second.Status);
        var sent = vendor.LastRequestBody.ToJsonString();
        foreach (var identifier in (string[])["Homer", "Simpson", "00482913", "Hibbert", "March 18"])
        {
            Assert.DoesNotContain(identifier, sent, StringComparison.Ordinal);
        }

        var sentArguments = (string?)vendor.LastRequestBody["messages"]![1]!["tool_calls"]![0]!["function"]!["arguments"];
        Assert.Equal("[MRN_1]", (string?)JsonNode.Parse(sentArguments!)!["mrn"]);
    }

    [Fact]
    public async Task A_note_and_a_fhir_bundle_reach_a_vendor_without_a_baa_with_no_identifier_and_every_clinical_fact()
    {
        var bundle = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "medplum-homer-simpson-bundle.json"));
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("[NAME_1] [NAME_2] ([MRN_1]) can go home; his wife [NAME_3] knows. Call [PHONE_1]. Not [NAME_99], [SSN_1] or [FOO_1]."));
        await using var host = await GatewayHost.StartAsync(c =>
        {
            vendor.Configure(c);
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Tier"] = 3;
        });
        using var client = host.CreateClient();
        var body = new JsonObject
        {
            ["model"] = "vendor-chat",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = Note },
                new JsonObject { ["role"] = "user", ["content"] = bundle }),
        }.ToJsonString();

        var call = await client.PostChatAsync(body);

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody.ToJsonString();
        foreach (var identifier in Identifiers)
        {
            Assert.DoesNotContain(identifier, sent, StringComparison.Ordinal);
        }

        foreach (var fact in ClinicalFacts)
        {
            Assert.Contains(fact, sent, StringComparison.Ordinal);
        }

        Assert.Contains("Patient: [NAME_1] [NAME_2]", sent, StringComparison.Ordinal);
        Assert.Contains("\\u0022birthDate\\u0022:\\u00221956\\u0022", sent, StringComparison.Ordinal);

        // Tier 3 re-identifies: the caller reads the patient's name where the vendor wrote tokens, and tokens this call
        // never issued stay as the vendor wrote them.
        Assert.Equal(
            "Homer Simpson (00482913) can go home; his wife Marge knows. Call (217) 555-7334. Not [NAME_99], [SSN_1] or [FOO_1].",
            (string?)call.Json["choices"]![0]!["message"]!["content"]);

        // Tier 3 audits verbatim: the record holds what the vendor saw, and what was taken out, by kind.
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("applied", (string?)record["deIdentification"]);
        var inputText = (string?)record["inputText"];
        Assert.NotNull(inputText);
        Assert.Contains("[NAME_1]", inputText, StringComparison.Ordinal);
        Assert.DoesNotContain("Simpson", inputText, StringComparison.Ordinal);
        Assert.DoesNotContain("Homer", (string?)record["outputText"] ?? string.Empty, StringComparison.Ordinal);
        var redactions = (string?)record["redactions"];
        Assert.NotNull(redactions);
        foreach (var kind in new[] { "name=", "mrn=", "date=", "phone=", "email=", "address=", "location=", "zip=", "id=" })
        {
            Assert.Contains(kind, redactions, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_streamed_answer_gets_the_name_back_even_when_the_token_is_split_between_chunks()
    {
        var events = string.Concat(
            Chunk("Plan for [NA"),
            Chunk("ME_1"),
            Chunk("] [NAME_"),
            Chunk("2]: home."),
            "data: [DONE]\n\n");
        using var vendor = new FakeVendor().StreamsEvents(events);
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();
        var body = JsonNode.Parse(ChatBody("vendor-chat", "Patient: Homer Simpson, admitted with chest pain."))!.AsObject();
        body["stream"] = true;

        using var response = await client.PostAsync(
            new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var stream = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.DoesNotContain("Homer", vendor.LastRequestBody.ToJsonString(), StringComparison.Ordinal);
        var text = string.Concat(stream.Split('\n')
            .Where(line => line.StartsWith("data: {", StringComparison.Ordinal))
            .Select(line => (string?)JsonNode.Parse(line["data: ".Length..])!["choices"]![0]!["delta"]!["content"]));
        Assert.Equal("Plan for Homer Simpson: home.", text);
    }

    [Fact]
    public async Task An_image_part_is_refused_before_a_vendor_without_a_baa_and_the_call_is_audited()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();
        var body = new JsonObject
        {
            ["model"] = "vendor-chat",
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "text", ["text"] = "Is this rash cellulitis?" },
                    new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/png;base64,iVBORw0KGgo=" } }),
            }),
        }.ToJsonString();

        var call = await client.PostChatAsync(body);

        Assert.Equal(422, call.Status);
        Assert.Equal("deidentification_failed", (string?)call.Json["error"]!["code"]);
        Assert.Contains("image_url", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("deidentification_failed", record.ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task Binary_garbage_is_refused_not_forwarded()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();
        var garbage = new string([.. Enumerable.Range(0, 2000).Select(i => (char)(1 + (i * 7 % 30)))]);

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Patient Homer Simpson " + garbage));

        Assert.Equal(422, call.Status);
        Assert.Equal("deidentification_failed", (string?)call.Json["error"]!["code"]);
        Assert.DoesNotContain("Homer", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task A_fhir_observation_naming_its_patient_only_in_a_display_and_narrative_reaches_the_vendor_without_the_name()
    {
        // In the shape of HL7's published R4 examples: no Patient resource, the patient named by the subject's display
        // and again in the generated narrative, with an MRN the scanner alone would find but a surname it would not.
        const string observation = """
            {"resourceType":"Observation","id":"bmd","status":"final",
             "text":{"status":"generated","div":"<div><p><b>subject</b>: <a>Everywoman, Eve A, MRN: 4471923</a></p></div>"},
             "code":{"coding":[{"system":"http://loinc.org","code":"24701-5"}],"text":"Femur DXA Bone density"},
             "subject":{"reference":"Patient/pat2","display":"Everywoman, Eve A, MRN: 4471923"},
             "valueQuantity":{"value":0.887,"unit":"g/cm-2"}}
            """;
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", observation));

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody.ToJsonString();
        Assert.DoesNotContain("Everywoman", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("4471923", sent, StringComparison.Ordinal);
        Assert.Contains("24701-5", sent, StringComparison.Ordinal);
        Assert.Contains("0.887", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_predicted_output_reaches_the_vendor_de_identified_and_a_field_the_gateway_does_not_know_holding_text_is_refused()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();
        JsonObject Body() => new()
        {
            ["model"] = "vendor-chat",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Fix the spelling of this note." }),
        };

        var predicted = Body();
        predicted["prediction"] = new JsonObject { ["type"] = "content", ["content"] = "Homer Simpson, MRN 00482913, was seen for chest pian." };
        var call = await client.PostChatAsync(predicted.ToJsonString());

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody.ToJsonString();
        Assert.DoesNotContain("Homer", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("00482913", sent, StringComparison.Ordinal);
        Assert.Contains("chest pian", sent, StringComparison.Ordinal);

        var unknown = Body();
        unknown["patient_context"] = new JsonObject { ["name"] = "Homer Simpson" };
        var refused = await client.PostChatAsync(unknown.ToJsonString());

        Assert.Equal(422, refused.Status);
        Assert.Equal("deidentification_failed", (string?)refused.Json["error"]!["code"]);
        Assert.Contains("patient_context", (string?)refused.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(1, vendor.CallCount);
    }

    [Theory]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"labs_987-65-4321","parameters":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}}}}}]}""", "tools[0].function.name")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"labs","parameters":{"type":"object","properties":{"Homer Simpson":{"type":"string"}}}}}]}""", "tools[0].function.parameters")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"labs"}}],"tool_choice":{"type":"function","function":{"name":"labs"},"note":"SSN 987-65-4321"}}""", "tool_choice.note")]
    [InlineData("""{"service_tier":"Homer Simpson, SSN 987-65-4321"}""", "service_tier")]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","987-65-4321":1}}}}""", "response_format.json_schema.schema")]
    public async Task A_name_or_word_the_vendor_would_get_as_written_holding_an_identifier_is_refused_and_nothing_is_sent(string extra, string field)
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();
        var body = JsonNode.Parse(extra)!.AsObject();
        body["model"] = "vendor-chat";
        body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Homer Simpson (MRN 00482913) asks about his labs." });

        var refused = await client.PostChatAsync(body.ToJsonString());

        Assert.Equal(422, refused.Status);
        Assert.Equal("deidentification_failed", (string?)refused.Json["error"]!["code"]);
        var message = (string?)refused.Json["error"]!["message"];
        Assert.Contains($"'{field}", message, StringComparison.Ordinal);
        Assert.DoesNotContain("987", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Homer", message, StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task Tools_stop_sequences_and_the_answer_schema_reach_the_vendor_de_identified_with_their_shape_kept()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();
        var body = JsonNode.Parse("""
            {
              "model": "vendor-chat",
              "messages": [{ "role": "user", "content": "Fetch the latest labs and summarize them." }],
              "stop": ["Homer Simpson:"],
              "tools": [{
                "type": "function",
                "function": {
                  "name": "get_labs",
                  "description": "Returns the labs of Homer Simpson (MRN 00482913), seen 03/14/2024.",
                  "parameters": {
                    "type": "object",
                    "properties": { "mrn": { "type": "string", "enum": ["00482913"], "pattern": "^[0-9]{8}$" } },
                    "required": ["mrn"]
                  }
                }
              }],
              "response_format": {
                "type": "json_schema",
                "json_schema": { "name": "lab_summary", "description": "A lab summary for Homer Simpson.", "schema": { "type": "object" } }
              }
            }
            """)!.AsObject();

        var call = await client.PostChatAsync(body.ToJsonString());

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody;
        var text = sent.ToJsonString();
        Assert.DoesNotContain("Homer", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Simpson", text, StringComparison.Ordinal);
        Assert.DoesNotContain("00482913", text, StringComparison.Ordinal);
        Assert.DoesNotContain("03/14", text, StringComparison.Ordinal);
        var function = sent["tools"]![0]!["function"]!;
        Assert.Equal("get_labs", (string?)function["name"]);
        Assert.StartsWith("Returns the labs of [NAME_", (string?)function["description"], StringComparison.Ordinal);
        Assert.Equal("^[0-9]{8}$", (string?)function["parameters"]!["properties"]!["mrn"]!["pattern"]);
        Assert.Equal("mrn", (string?)function["parameters"]!["required"]![0]);
        Assert.Equal("lab_summary", (string?)sent["response_format"]!["json_schema"]!["name"]);
        Assert.EndsWith(":", (string?)sent["stop"]![0], StringComparison.Ordinal);

        // The model picks the protected enum value for its tool call: the app's tool gets the value itself.
        var token = (string?)function["parameters"]!["properties"]!["mrn"]!["enum"]![0];
        Assert.Matches(@"^\[[A-Z]+_\d+\]$", token);
        vendor.AnswersWith(200, new JsonObject
        {
            ["id"] = "chatcmpl-tool",
            ["object"] = "chat.completion",
            ["created"] = 1700000000,
            ["model"] = "gpt-4o-mini",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["finish_reason"] = "tool_calls",
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "call_1",
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "get_labs", ["arguments"] = $$"""{"mrn":"{{token}}"}""" },
                    }),
                },
            }),
        }.ToJsonString());

        var toolCall = await client.PostChatAsync(body.ToJsonString());

        Assert.Equal(200, toolCall.Status);
        Assert.Equal(token, (string?)vendor.LastRequestBody["tools"]![0]!["function"]!["parameters"]!["properties"]!["mrn"]!["enum"]![0]);
        Assert.Equal("""{"mrn":"00482913"}""", (string?)toolCall.Json["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!["arguments"]);
    }

    private static string Chunk(string content) =>
        "data: " + new JsonObject
        {
            ["id"] = "chatcmpl-1",
            ["object"] = "chat.completion.chunk",
            ["model"] = "gpt-4o-mini",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = content } }),
        }.ToJsonString() + "\n\n";
}

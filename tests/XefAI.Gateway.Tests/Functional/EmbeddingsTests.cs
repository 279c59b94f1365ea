using System.ClientModel;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Embeddings;
using XefAI.Gateway.Security;
using XefAI.Models;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// <c>POST /v1/embeddings</c> through the governed pipeline (issue 8 item 6): OpenAI's shape in and out, the same use
/// cases, tiers, policies and audit record as chat, for a vendor and for the local feature-hashing embedder.
/// </summary>
public sealed class EmbeddingsTests(EmbeddingsTests.Gateway fixture) : IClassFixture<EmbeddingsTests.Gateway>
{
    private const string VendorUseCase = "vendor-embeddings";
    private const string LocalUseCase = "note-embeddings";

    [Fact]
    public async Task Post_SingleStringToVendorUseCase_AnswersOpenAIListAndAuditsHashesOfExactBytes()
    {
        using var client = fixture.Host.CreateClient();
        var body = """{"model":"vendor-embeddings","input":"Patient stable."}""";

        var call = await client.PostEmbeddingsAsync(body);

        Assert.Equal(200, call.Status);
        Assert.Equal("application/json", call.Response.Content.Headers.ContentType?.MediaType);
        var json = call.Json;
        Assert.Equal("list", (string?)json["object"]);
        var item = Assert.Single(json["data"]!.AsArray())!;
        Assert.Equal("embedding", (string?)item["object"]);
        Assert.Equal(0, (int)item["index"]!);
        Assert.Equal([0f, 15f, 0.25f], Floats(item["embedding"]!));
        Assert.Equal(FakeVendor.EmbeddingModel, (string?)json["model"]);
        Assert.Equal(2, (int)json["usage"]!["prompt_tokens"]!);
        Assert.Equal("1", call.Header("X-XefAI-Risk-Tier"));
        Assert.Equal("vendor-embed", call.Header("X-XefAI-Provider"));

        // The vendor got the client's request with the deployment's model, nothing else changed.
        Assert.Equal(FakeVendor.EmbeddingModel, (string?)fixture.Vendor.LastRequestBody["model"]);
        Assert.Equal("Patient stable.", (string?)fixture.Vendor.LastRequestBody["input"]);

        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("answered", (string?)record["decision"]);
        Assert.Equal("test-app", (string?)record["app"]);
        Assert.Equal(VendorUseCase, (string?)record["useCase"]);
        Assert.Equal(1, (int?)record["riskTier"]);
        Assert.Equal("vendor-embed", (string?)record["deployment"]);
        Assert.Equal(FakeVendor.EmbeddingModel, (string?)record["model"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
        Assert.Equal(2, (int?)record["inputTokens"]);
        Assert.Equal(200, (int?)record["statusCode"]);
        Assert.Equal(["answered"], record.AttemptOutcomes());

        // Tier 1 keeps metadata only: the hashes stand for the texts.
        Assert.Null((string?)record["inputText"]);
        Assert.Null((string?)record["outputText"]);
    }

    [Fact]
    public async Task Post_BatchToVendorUseCase_VectorsInInputOrderWhateverTheVendorsOrder()
    {
        using var client = fixture.Host.CreateClient();

        // The fake vendor lists its items in reverse; each one's index says which input it is for.
        var call = await client.PostEmbeddingsAsync("""{"model":"vendor-embeddings","input":["a","bbb","cc"]}""");

        Assert.Equal(200, call.Status);
        var data = call.Json["data"]!.AsArray();
        Assert.Equal([0, 1, 2], data.Select(d => (int)d!["index"]!));
        Assert.Equal([0f, 1f, 0.25f], Floats(data[0]!["embedding"]!));
        Assert.Equal([1f, 3f, 0.25f], Floats(data[1]!["embedding"]!));
        Assert.Equal([2f, 2f, 0.25f], Floats(data[2]!["embedding"]!));
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("answered", (string?)record["decision"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    [Fact]
    public async Task Post_Base64Encoding_VectorsComeBackAsLittleEndianFloat32ThatDecodeExactly()
    {
        using var client = fixture.Host.CreateClient();

        var call = await client.PostEmbeddingsAsync("""{"model":"vendor-embeddings","input":["a","bbb"],"encoding_format":"base64"}""");

        // The vendor answered floats; the client asked for base64 and gets it.
        Assert.Equal(200, call.Status);
        Assert.Equal("base64", (string?)fixture.Vendor.LastRequestBody["encoding_format"]);
        var data = call.Json["data"]!.AsArray();
        var vectors = data.Select(d => Assert.IsType<string>((string?)d!["embedding"])).ToList();
        Assert.True(OpenAIEmbeddingList.TryFromBase64(vectors[0], out var first));
        Assert.True(OpenAIEmbeddingList.TryFromBase64(vectors[1], out var second));
        Assert.Equal([0f, 1f, 0.25f], first);
        Assert.Equal([1f, 3f, 0.25f], second);
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    [Fact]
    public async Task OpenAIDotNetClient_GenerateEmbeddings_ReadsTheGatewaysAnswer()
    {
        var client = new EmbeddingClient(
            VendorUseCase, new ApiKeyCredential(GatewayHost.ClientKey), new OpenAIClientOptions { Endpoint = new Uri(fixture.Host.Address, "/v1") });

        var result = await client.GenerateEmbeddingsAsync(["a", "bbb"]);

        Assert.Equal([0f, 1f, 0.25f], result.Value[0].ToFloats().ToArray());
        Assert.Equal([1f, 3f, 0.25f], result.Value[1].ToFloats().ToArray());
        Assert.Equal(FakeVendor.EmbeddingModel, result.Value.Model);
    }

    [Fact]
    public async Task Post_UseCaseHeader_TakesPrecedenceOverModelField()
    {
        using var client = fixture.Host.CreateClient();

        var call = await client.PostEmbeddingsAsync(
            """{"model":"text-embedding-3-small","input":"Stable."}""", r => r.Headers.Add("X-XefAI-Use-Case", LocalUseCase));

        Assert.Equal(200, call.Status);
        Assert.Equal("hashing", call.Header("X-XefAI-Provider"));
    }

    [Fact]
    public async Task Post_LocalHashingUseCase_AnswersDeterministicUnitVectorsWithoutAnyVendor()
    {
        using var client = fixture.Host.CreateClient();
        var vendorCalls = fixture.Vendor.CallCount;

        var batch = await client.PostEmbeddingsAsync(
            """{"model":"note-embeddings","input":["Chest pain since noon.","chest pain, since noon","Ankle sprain after a fall."]}""");
        var again = await client.PostEmbeddingsAsync("""{"model":"note-embeddings","input":"Chest pain since noon."}""");

        Assert.Equal(200, batch.Status);
        Assert.Equal("xefai-local-hashing", (string?)batch.Json["model"]);
        Assert.Equal("hashing", batch.Header("X-XefAI-Provider"));
        var vectors = batch.Json["data"]!.AsArray().Select(d => Floats(d!["embedding"]!)).ToList();
        Assert.All(vectors, v => Assert.Equal(256, v.Length));
        Assert.All(vectors, v => Assert.InRange(Math.Sqrt(v.Sum(x => (double)x * x)), 0.9999, 1.0001));

        // The same words give the same vector, in another call too; other words another one.
        Assert.Equal(vectors[0], vectors[1]);
        Assert.Equal(vectors[0], Floats(again.Json["data"]![0]!["embedding"]!));
        Assert.NotEqual(vectors[0], vectors[2]);
        Assert.Equal(vendorCalls, fixture.Vendor.CallCount);
    }

    [Fact]
    public async Task Post_Tier2UseCase_AuditRecordHoldsExactInputAndOutputTexts()
    {
        using var client = fixture.Host.CreateClient();
        var body = """{"model":"note-embeddings","user":"clinician-7","input":["Discharged home, stable."]}""";

        var call = await client.PostEmbeddingsAsync(body);

        Assert.Equal(200, call.Status);
        Assert.Equal("2", call.Header("X-XefAI-Risk-Tier"));
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(LocalUseCase, (string?)record["useCase"]);
        Assert.Equal(2, (int?)record["riskTier"]);
        Assert.Equal(body, (string?)record["inputText"]);
        Assert.Equal(Encoding.UTF8.GetString(call.ResponseBody), (string?)record["outputText"]);
        Assert.Equal("clinician-7", (string?)record["user"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
    }

    public static TheoryData<string, string, string?> BadInputs => new()
    {
        // body, error code, param
        { """{"model":"vendor-embeddings","input":[]}""", "empty_array", "input" },
        { """{"model":"vendor-embeddings","input":""}""", "empty_string", "input" },
        { """{"model":"vendor-embeddings","input":["a",""]}""", "empty_string", "input[1]" },
        { """{"model":"vendor-embeddings","input":["a","b","c","d"]}""", "too_many_inputs", "input" },
        { """{"model":"vendor-embeddings","input":["a",7]}""", "invalid_type", "input[1]" },
        { """{"model":"vendor-embeddings","input":["a",null]}""", "invalid_type", "input[1]" },
        { """{"model":"vendor-embeddings","input":{"text":"a"}}""", "invalid_type", "input" },
        { """{"model":"vendor-embeddings","input":[1639,22173]}""", "unsupported_value", "input" },
        { """{"model":"vendor-embeddings","input":[[1639],[22173]]}""", "unsupported_value", "input" },
        { """{"model":"vendor-embeddings","input":"a","encoding_format":"hex"}""", "invalid_value", "encoding_format" },
        { """{"model":"vendor-embeddings","input":"a","dimensions":0}""", "invalid_value", "dimensions" },
        { """{"model":"vendor-embeddings"}""", "missing_required_parameter", "input" },
        { """{"input":"a"}""", "missing_required_parameter", "model" },
        { """{"model":"vendor-embeddings","input":"a","input":"b"}""", "duplicate_key", "input" },
        { """{"model":"vendor-embeddings","input":""", "invalid_json", null },
        { """["vendor-embeddings","a"]""", "invalid_request", null },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Post_BadInput_Returns400InOpenAIShapeSendsNothingAndAuditsTheAttempt(string body, string code, string? param)
    {
        using var client = fixture.Host.CreateClient();
        var vendorCalls = fixture.Vendor.CallCount;

        var call = await client.PostEmbeddingsAsync(body);

        Assert.Equal(400, call.Status);
        var error = call.Json["error"]!.AsObject();
        Assert.Equal(code, (string?)error["code"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal(param, (string?)error["param"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.Equal(vendorCalls, fixture.Vendor.CallCount);

        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal(code, record.ReasonsBeforeConfiguration());
        Assert.Equal(400, (int?)record["statusCode"]);
        Assert.Equal("test-app", (string?)record["app"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    public static TheoryData<string, string, string, string> Refusals => new()
    {
        // key, use case, error code, words the message must contain
        { GatewayHost.OtherClientKey, VendorUseCase, "use_case_not_granted", "not granted" },
        { GatewayHost.ClientKey, "paused-embeddings", "use_case_suspended", "Paused by the governance committee" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Post_RefusedByGovernance_Returns403AuditedAndSendsNothing(string key, string useCase, string code, string words)
    {
        using var client = fixture.Host.CreateClient(key);
        var vendorCalls = fixture.Vendor.CallCount;

        var call = await client.PostEmbeddingsAsync(new JsonObject { ["model"] = useCase, ["input"] = "Stable." }.ToJsonString());

        Assert.Equal(403, call.Status);
        var error = call.Json["error"]!.AsObject();
        Assert.Equal(code, (string?)error["code"]);
        Assert.Equal("permission_error", (string?)error["type"]);
        Assert.Contains(words, (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(vendorCalls, fixture.Vendor.CallCount);
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal(code, record.ReasonsBeforeConfiguration());
        Assert.Equal(useCase, (string?)record["useCase"]);
        Assert.Equal(403, (int?)record["statusCode"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    [Fact]
    public async Task Post_WithoutKey_401WithoutOwnRecordAndCountedUnderTheEmbeddingsRoute()
    {
        using var anonymous = fixture.Host.CreateClient(key: null);
        var vendorCalls = fixture.Vendor.CallCount;

        var call = await anonymous.PostEmbeddingsAsync("""{"model":"vendor-embeddings","input":"Stable."}""");

        Assert.Equal(401, call.Status);
        Assert.Equal("invalid_api_key", (string?)call.Json["error"]!["code"]);
        Assert.Equal("authentication_error", (string?)call.Json["error"]!["type"]);
        Assert.Null(call.Header("X-XefAI-Audit-Id"));
        var traceId = call.Header("X-XefAI-Trace-Id")!;
        Assert.Empty(await fixture.Host.GetAuditRecordsOfTraceAsync(traceId));
        Assert.Equal(vendorCalls, fixture.Vendor.CallCount);

        await fixture.Host.Services.GetRequiredService<AuthenticationFailures>().FlushAsync(all: true);

        var aggregate = Assert.Single(await fixture.Host.GetAuditRecordsOfTraceAsync(traceId));
        Assert.Equal(AuthenticationFailures.AuditDecision, (string?)aggregate["decision"]);
        Assert.StartsWith("missing_key;route:embeddings;count:1;", (string?)aggregate["reasons"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Start_MaxEmbeddingInputsBelowOne_RefusesToStartNamingTheSetting(int limit)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(c => c["Gateway"]!["MaxEmbeddingInputs"] = limit));

        Assert.Contains("Gateway:MaxEmbeddingInputs must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_EmbeddingsOfAChatUseCaseAndChatOfAnEmbeddingsUseCase_RefusedAsUnsupportedAndAudited()
    {
        using var client = fixture.Host.CreateClient();

        // "vendor-chat" routes to a deployment that serves both (no Operations set) in the test configuration, so a
        // use case whose only deployment is an embedding model is the one to ask for a completion.
        var chat = await client.PostChatAsync(GatewayCalls.ChatBody(LocalUseCase, "Summarize the note."));

        Assert.Equal(400, chat.Status);
        Assert.Equal("operation_not_supported", (string?)chat.Json["error"]!["code"]);
        Assert.Equal("model", (string?)chat.Json["error"]!["param"]);
        var record = await fixture.Host.GetAuditRecordAsync(chat.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal("operation_not_supported", record.ReasonsBeforeConfiguration());
        Assert.Empty(record["attempts"]!.AsArray());
    }

    [Fact]
    public async Task Post_InProcessAnswerOverTheResponseLimit_RefusedAs502AndAuditedNotBuffered()
    {
        await using var host = await GatewayHost.StartAsync(configuration =>
        {
            configuration["Gateway"]!["MaxResponseBodyBytes"] = 4096;
            configuration["Gateway"]!["Clients"]!["test-app"]!["UseCases"]!.AsArray().Add(LocalUseCase);
            configuration["Models"]!["Deployments"]!["hashing"] = new JsonObject { ["Kind"] = "local", ["Model"] = "xefai-local-hashing" };
            configuration["Governance"]!["UseCases"]![LocalUseCase] = GatewayHost.UseCase("Note embeddings", 1, "active", "hashing");
        });
        using var client = host.CreateClient();

        // Four 1,024-float vectors as JSON numbers: at least 8 KB even when sparse (a "0," per zero), twice the limit.
        var call = await client.PostEmbeddingsAsync("""{"model":"note-embeddings","dimensions":1024,"input":["a","b","c","d"]}""");

        Assert.Equal(502, call.Status);
        Assert.Equal("response_too_large", (string?)call.Json["error"]!["code"]);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("failed", (string?)record["decision"]);
        Assert.Equal("response_too_large", record.ReasonsBeforeConfiguration());
    }

    private static float[] Floats(JsonNode vector) => [.. vector.AsArray().Select(v => (float)v!)];

    /// <summary>
    /// A gateway with three embeddings use cases (a vendor one at tier 1, the local hashing one at tier 2, a suspended
    /// one) granted to the test app, at most three inputs a request, and a fake OpenAI vendor that embeds.
    /// </summary>
    public sealed class Gateway : IAsyncLifetime
    {
        public FakeVendor Vendor { get; } = new FakeVendor().AnswersEmbeddings();

        public GatewayHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(configuration =>
        {
            Vendor.Configure(configuration);
            configuration["Gateway"]!["MaxEmbeddingInputs"] = 3;
            var grants = configuration["Gateway"]!["Clients"]!["test-app"]!["UseCases"]!.AsArray();
            foreach (var id in new[] { VendorUseCase, LocalUseCase, "paused-embeddings" })
            {
                grants.Add(id);
            }

            var deployments = configuration["Models"]!["Deployments"]!.AsObject();
            deployments["hashing"] = new JsonObject { ["Kind"] = "local", ["Model"] = "xefai-local-hashing", ["Operations"] = new JsonArray("embeddings") };
            deployments["vendor-embed"] = new JsonObject { ["Kind"] = "openai", ["Cluster"] = "vendor", ["Model"] = FakeVendor.EmbeddingModel };
            var useCases = configuration["Governance"]!["UseCases"]!.AsObject();
            useCases[VendorUseCase] = GatewayHost.UseCase("Vendor embeddings", 1, "active", "vendor-embed");
            useCases[LocalUseCase] = GatewayHost.UseCase("Note embeddings", 2, "active", "hashing");
            useCases["paused-embeddings"] = GatewayHost.UseCase("Paused embeddings", 1, "suspended", "vendor-embed", "Paused by the governance committee.");
        }));

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            Vendor.Dispose();
        }
    }
}

using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

public sealed class ChatCompletionsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string DischargeNote =
        "Patient admitted with community-acquired pneumonia. Chest x-ray showed right lower lobe consolidation. " +
        "Treated with ceftriaxone 1 g daily and azithromycin 500 mg. The weather was pleasant during the stay. " +
        "Discharge plan: complete oral antibiotics for five days and follow-up with primary care in one week.";

    [Fact]
    public async Task Post_LocalUseCase_AnswersLabelledExtractiveSummaryWithGovernanceHeaders()
    {
        using var client = fixture.Host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("summary", DischargeNote));

        Assert.Equal(200, call.Status);
        var json = call.Json;
        Assert.Equal("chat.completion", (string?)json["object"]);
        Assert.Equal("xefai-local-extractive", (string?)json["model"]);
        var content = (string)json["choices"]![0]!["message"]!["content"]!;
        Assert.Contains("not a language model", content, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Discharge plan", content, StringComparison.Ordinal);
        Assert.DoesNotContain("weather", content, StringComparison.Ordinal);
        Assert.Equal("2", call.Header("X-XefAI-Risk-Tier"));
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
        Assert.Matches("^[0-9a-f]{32}$", call.Header("X-XefAI-Trace-Id"));
        Assert.StartsWith("aud_", call.Header("X-XefAI-Audit-Id"), StringComparison.Ordinal);

        // OpenAI's SDKs show x-request-id as the response's request id, and in their errors.
        Assert.Equal(call.Header("X-XefAI-Trace-Id"), call.Header("x-request-id"));
    }

    [Fact]
    public async Task Post_AnsweredCall_AuditRecordHoldsHashesOfExactBytes()
    {
        using var client = fixture.Host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("summary", DischargeNote));
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);

        Assert.Equal("answered", (string?)record["decision"]);
        Assert.Equal("test-app", (string?)record["app"]);
        Assert.Equal("summary", (string?)record["useCase"]);
        Assert.Equal(2, (int?)record["riskTier"]);
        Assert.Equal("local", (string?)record["provider"]);
        Assert.Equal("local", (string?)record["deployment"]);
        Assert.Equal("xefai-local-extractive", (string?)record["model"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
        Assert.Equal(call.Header("X-XefAI-Trace-Id"), (string?)record["traceId"]);
        Assert.True((double)record["latencyMs"]! > 0);
        Assert.Equal(200, (int?)record["statusCode"]);
    }

    [Fact]
    public async Task Post_FhirBundleInMessage_SummaryUsesStructuredContextAndAuditHasPseudonym()
    {
        using var client = fixture.Host.CreateClient();
        var body = new JsonObject
        {
            ["model"] = "summary",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "Summarize the patient's chart." },
                new JsonObject { ["role"] = "user", ["content"] = TestBundles.Diabetic }),
        }.ToJsonString();

        var call = await client.PostChatAsync(body);

        Assert.Equal(200, call.Status);
        var content = (string)call.Json["choices"]![0]!["message"]!["content"]!;
        Assert.Contains("Type 2 diabetes mellitus", content, StringComparison.Ordinal);
        Assert.Contains("Metformin", content, StringComparison.Ordinal);
        Assert.Contains("8.1", content, StringComparison.Ordinal);
        Assert.DoesNotContain("Chalmers", content, StringComparison.Ordinal);
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        var pseudonym = (string?)record["patientPseudonym"];
        Assert.StartsWith("pp-", pseudonym, StringComparison.Ordinal);
        Assert.DoesNotContain("example-patient", pseudonym, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_MalformedBundle_Returns400WithParserReasonAndAuditsDenial()
    {
        using var client = fixture.Host.CreateClient();
        var body = ChatBody("summary", """{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","name":{"family":"Chalmers"}}}]}""");

        var call = await client.PostChatAsync(body);

        Assert.Equal(400, call.Status);
        var error = call.Json["error"]!;
        Assert.Equal("invalid_fhir", (string?)error["code"]);
        Assert.Contains("malformed", (string?)error["message"], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("name", (string?)error["message"], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Chalmers", (string?)error["message"], StringComparison.Ordinal);
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal("invalid_fhir", record.ReasonsBeforeConfiguration());
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
    }

    [Fact]
    public async Task Post_UseCaseHeader_TakesPrecedenceOverModelField()
    {
        using var client = fixture.Host.CreateClient();

        var call = await client.PostChatAsync(
            ChatBody("gpt-4o", DischargeNote), r => r.Headers.Add("X-XefAI-Use-Case", "summary"));

        Assert.Equal(200, call.Status);
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
    }

    [Fact]
    public async Task GetModels_ListsOnlyTheUseCasesGrantedToTheApp()
    {
        using var client = fixture.Host.CreateClient(GatewayHost.OtherClientKey);

        var response = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("list", (string?)json["object"]);
        var ids = json["data"]!.AsArray().Select(m => (string?)m!["id"]).ToList();
        Assert.Equal(["summary"], ids);
        Assert.Equal(2, (int?)json["data"]![0]!["risk_tier"]);
    }

    [Fact]
    public async Task GetModels_WithoutKey_Returns401()
    {
        using var client = fixture.Host.CreateClient(key: null);

        var response = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Matches("^[0-9a-f]{32}$", Assert.Single(response.Headers.GetValues("x-request-id")));
    }

    [Fact]
    public async Task GetModel_GrantedUseCase_ReturnsItInOpenAIsModelShape()
    {
        using var client = fixture.Host.CreateClient(GatewayHost.OtherClientKey);

        var response = await client.GetAsync(new Uri("/v1/models/summary", UriKind.Relative));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("summary", (string?)json["id"]);
        Assert.Equal("model", (string?)json["object"]);
        Assert.Equal(2, (int?)json["risk_tier"]);
    }

    [Theory]
    [InlineData("vendor-chat")]
    [InlineData("no-such-use-case")]
    public async Task GetModel_NotGrantedOrUnknown_Returns404Alike(string id)
    {
        // other-app is granted only 'summary': a use case it may not call is indistinguishable from one that does not exist.
        using var client = fixture.Host.CreateClient(GatewayHost.OtherClientKey);

        var response = await client.GetAsync(new Uri($"/v1/models/{id}", UriKind.Relative));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("model_not_found", (string?)json["error"]!["code"]);
        Assert.DoesNotContain(id, (string?)json["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BundleWithRecoverableProblems_AnsweredWithWarningsCountedAndRecorded()
    {
        using var client = fixture.Host.CreateClient();
        var bundle = """
            {"resourceType":"Bundle","type":"collection","entry":[
              {"fullUrl":"urn:uuid:not-a-real-uuid","resource":{"resourceType":"Patient","id":"p1","favouriteColour":"blue","birthDate":"1954-03-02"}},
              {"resource":{"resourceType":"Condition","code":{"text":"Type 2 diabetes mellitus"},"subject":{"reference":"urn:uuid:not-a-real-uuid"}}}]}
            """;

        var call = await client.PostChatAsync(ChatBody("summary", bundle));

        Assert.Equal(200, call.Status);
        Assert.Equal("2", call.Header("X-XefAI-Data-Warnings"));
        Assert.Contains("diabetes", (string?)call.Json["choices"]![0]!["message"]!["content"], StringComparison.OrdinalIgnoreCase);
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("answered", (string?)record["decision"]);
        Assert.StartsWith("fhir_warnings:", (string?)record["reasons"], StringComparison.Ordinal);
        Assert.DoesNotContain("blue", (string?)record["reasons"], StringComparison.Ordinal);
    }
}

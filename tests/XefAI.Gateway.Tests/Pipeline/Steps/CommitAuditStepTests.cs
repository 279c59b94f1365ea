using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class CommitAuditStepTests
{
    private readonly FakeAuditTrail _audit = new();
    private readonly AuditRecorder _recorder;
    private readonly CommitAuditStep _step;

    public CommitAuditStepTests()
    {
        _recorder = new AuditRecorder(_audit, TimeProvider.System, NullLogger<AuditRecorder>.Instance);
        _step = new CommitAuditStep(_recorder);
    }

    [Fact]
    public async Task Execute_RefusedCall_CommitsADeniedRecordWithTheErrorsCodeAndTheRenderedErrorsHash()
    {
        await using var call = CallContexts.Governed();
        call.Error = CallError.Forbidden("use_case_suspended", "Use case 'summary' is suspended.");

        await _step.ExecuteAsync(call);

        var record = Assert.Single(_audit.Records);
        Assert.Same(record, call.Record);
        var entry = record.Entry;
        Assert.Equal(CallOutcomes.Denied, entry.Decision);
        Assert.Equal("use_case_suspended", entry.Reasons);
        Assert.Equal(403, entry.StatusCode);
        Assert.Equal(CallContexts.Sha256("error:use_case_suspended"), entry.OutputSha256);
        Assert.Equal(call.InputSha256, entry.InputSha256);
        Assert.Equal(CallContexts.TraceId, entry.TraceId);
        Assert.Equal(TestConfig.AppId, entry.AppId);
        Assert.Equal(TestConfig.Summary.Id, entry.UseCaseId);
        Assert.Equal("error:use_case_suspended", Encoding.UTF8.GetString(call.Rendered!.Body.Span));
        Assert.Equal(CallOutcomes.Denied, call.Outcome);
        Assert.Equal(403, call.StatusCode);
    }

    [Fact]
    public async Task Execute_FailedCall_CommitsAFailedRecord()
    {
        await using var call = CallContexts.Governed();
        call.Error = CallError.Unavailable("provider_unavailable", "No provider.");

        await _step.ExecuteAsync(call);

        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal(CallOutcomes.Failed, entry.Decision);
        Assert.Equal("provider_unavailable", entry.Reasons);
        Assert.Equal(503, entry.StatusCode);
    }

    [Fact]
    public async Task Execute_Answered_CommitsTheAdaptersRenderingHashed()
    {
        var adapter = new TestAdapter();
        await using var call = CallContexts.Answered("Stable.", obligations: new PolicyObligations { Review = ReviewRequirement.Draft }, adapter: adapter);
        call.PatientPseudonym = "pseudo:1";
        call.Outcome = CallOutcomes.Answered;

        await _step.ExecuteAsync(call);

        var answer = Assert.Single(adapter.Answers);
        Assert.Same(call.Answer, answer.Chat);
        Assert.Same(TestConfig.Local, answer.Deployment);
        Assert.Equal((TestConfig.Summary.Id, (int)TestConfig.Summary.Tier, CallContexts.Timestamp), (answer.UseCaseId, answer.RiskTier, answer.Timestamp));
        Assert.True(answer.Draft);
        Assert.Equal("pseudo:1", answer.PatientPseudonym);

        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal(CallOutcomes.Answered, entry.Decision);
        Assert.Null(entry.Reasons);
        Assert.Equal(200, entry.StatusCode);
        Assert.Equal(CallContexts.Sha256("answer:Stable."), entry.OutputSha256);
        Assert.Equal(call.OutputSha256, entry.OutputSha256);
        Assert.Equal(("local", "local", "test-model"), (entry.Provider, entry.Deployment, entry.Model));
        Assert.Equal((10, 5), (entry.InputTokens, entry.OutputTokens));
        Assert.Equal("pseudo:1", entry.PatientPseudonym);
        Assert.False(entry.Streamed);
        Assert.Null(entry.InputText);
        Assert.Null(entry.OutputText);
    }

    [Fact]
    public async Task Execute_TierObligesVerbatimAudit_TheRecordKeepsTheBodySentToTheModelAndTheRenderedAnswer()
    {
        await using var call = CallContexts.Answered("Stable.", obligations: new PolicyObligations { AuditVerbatim = true });
        call.DeIdentification = DeIdentificationOutcomes.NotRequired;
        call.VendorBody!["max_tokens"] = 100;
        call.Outcome = CallOutcomes.Answered;

        await _step.ExecuteAsync(call);

        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal(call.VendorBody.ToJsonString(), entry.InputText);
        Assert.Contains("\"max_tokens\":100", entry.InputText, StringComparison.Ordinal);
        Assert.Equal("answer:Stable.", entry.OutputText);
        Assert.Equal(DeIdentificationOutcomes.NotRequired, entry.DeIdentification);
        Assert.Null(entry.Redactions);
    }

    [Fact]
    public async Task Execute_VerbatimAuditOfADeIdentifiedCall_KeepsWhatTheVendorSawAndAnsweredNotTheRestoredAnswer()
    {
        await using var call = DeIdentifiedAndRestored(new PolicyObligations { AuditVerbatim = true });

        await _step.ExecuteAsync(call);

        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal("""{"model":"vendor-chat","messages":[{"role":"user","content":"[NAME_1] is stable."}]}""", entry.InputText);
        Assert.Equal("answer:[NAME_1] is stable.", entry.OutputText);
        Assert.DoesNotContain("Alice", entry.InputText + entry.OutputText, StringComparison.Ordinal);
        Assert.Equal(DeIdentificationOutcomes.Applied, entry.DeIdentification);
        Assert.Equal("date=1,name=2", entry.Redactions);
        Assert.Equal(CallContexts.Sha256("answer:Alice is stable."), entry.OutputSha256);
        Assert.Equal("answer:Alice is stable.", Encoding.UTF8.GetString(call.Rendered!.Body.Span));
    }

    [Fact]
    public async Task Execute_VerbatimAuditOfOriginalText_KeepsTheClientsRequestAndTheAnswerAsReleased()
    {
        await using var call = DeIdentifiedAndRestored(new PolicyObligations { AuditVerbatim = true, AuditOriginalText = true });

        await _step.ExecuteAsync(call);

        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal(Encoding.UTF8.GetString(call.Body.Span), entry.InputText);
        Assert.Contains("Alice", entry.InputText, StringComparison.Ordinal);
        Assert.Equal("answer:Alice is stable.", entry.OutputText);
        Assert.Equal(DeIdentificationOutcomes.Applied, entry.DeIdentification);
    }

    [Fact]
    public async Task Execute_VerbatimAuditOfDeIdentifiedEmbeddings_KeepsTheProtectedInputsSentToTheVendor()
    {
        var sent = new System.Text.Json.Nodes.JsonObject { ["model"] = "vendor-chat", ["input"] = new System.Text.Json.Nodes.JsonArray("[NAME_1] has asthma.") };
        var embeddings = new Models.OpenAIEmbeddingRequest(sent, "vendor-chat", ["[NAME_1] has asthma."], null, Models.EmbeddingEncoding.Float, null, null);
        await using var call = CallContexts.Governed(
            new GatewayRequest(TestConfig.VendorChat.Id, CallOperation.Embeddings) { Embeddings = embeddings },
            useCase: TestConfig.VendorChat,
            obligations: new PolicyObligations { AuditVerbatim = true });
        call.Deployment = TestConfig.Vendor;
        call.Embeddings = new Models.EmbeddingResponse([[0.5f]], "test-model", null);
        call.DeIdentification = DeIdentificationOutcomes.Applied;
        call.Redactions = [new("name", 1)];
        call.Outcome = CallOutcomes.Answered;

        await _step.ExecuteAsync(call);

        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal("""{"model":"vendor-chat","input":["[NAME_1] has asthma."]}""", entry.InputText);
        Assert.Equal("name=1", entry.Redactions);
    }

    [Fact]
    public async Task Execute_VerbatimAuditOfACallThatNeverReachedTheProtectStep_KeepsNoInputText()
    {
        await using var call = CallContexts.Governed(obligations: new PolicyObligations { AuditVerbatim = true });
        call.Error = CallError.Forbidden("deployment_suspended", "Suspended.");

        await _step.ExecuteAsync(call);

        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Null(entry.InputText);
        Assert.Equal("error:deployment_suspended", entry.OutputText);
        Assert.Null(entry.DeIdentification);
        Assert.Null(entry.Redactions);
    }

    [Fact]
    public async Task Execute_Held_CommitsAHeldRecordWith202()
    {
        await using var call = CallContexts.Answered(useCase: TestConfig.Held, obligations: new PolicyObligations { Review = ReviewRequirement.Hold });
        call.Outcome = CallOutcomes.Held;

        await _step.ExecuteAsync(call);

        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal(CallOutcomes.Held, entry.Decision);
        Assert.Equal("review_required", entry.Reasons);
        Assert.Equal(202, entry.StatusCode);
        Assert.Equal(CallOutcomes.Held, call.Outcome);
    }

    [Fact]
    public async Task Execute_AuditStoreFails_TheCallFails503AuditUnavailableAndNoAnswerIsReleased()
    {
        _audit.Failing = true;
        await using var call = CallContexts.Answered("Confidential answer.");
        call.Outcome = CallOutcomes.Answered;

        await _step.ExecuteAsync(call);
        await new ReleaseStep(_recorder).ExecuteAsync(call);

        Assert.Null(call.Record);
        Assert.Equal(503, call.Error?.StatusCode);
        Assert.Equal("audit_unavailable", call.Error!.Code);
        Assert.Equal(CallOutcomes.Failed, call.Outcome);
        Assert.Equal(503, call.StatusCode);
        Assert.Equal(503, call.HttpContext.Response.StatusCode);
        Assert.Equal("error:audit_unavailable", call.ResponseText());
    }

    [Fact]
    public async Task Execute_Stream_CommitsAnOpeningStreamingRecord()
    {
        await using var call = CallContexts.Governed();
        call.Deployment = TestConfig.Vendor;
        call.Stream = new TestAnswerStream([TestAnswerStream.Chunk("Stable.")]);
        call.Outcome = CallOutcomes.Answered;

        await _step.ExecuteAsync(call);

        Assert.Null(call.Error);
        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Same(call.Record, _audit.Records[0]);
        Assert.Equal(CallOutcomes.Streaming, entry.Decision);
        Assert.True(entry.Streamed);
        Assert.Equal(200, entry.StatusCode);
        Assert.Null(entry.OutputSha256);
        Assert.Equal("vendor", entry.Deployment);
        Assert.Null(call.Rendered);
    }

    [Fact]
    public async Task Execute_StreamAndTheStoreFails_TheCallFails503AuditUnavailable()
    {
        _audit.Failing = true;
        await using var call = CallContexts.Governed();
        call.Stream = new TestAnswerStream([TestAnswerStream.Chunk("Stable.")]);

        await _step.ExecuteAsync(call);

        Assert.Null(call.Record);
        Assert.Equal("audit_unavailable", call.Error?.Code);
    }

    [Fact]
    public async Task Execute_KeylessCall_CommitsNoRecord()
    {
        await using var call = CallContexts.Create(key: null);
        call.Error = CallError.Unauthenticated("No API key.");

        await _step.ExecuteAsync(call);

        Assert.Empty(_audit.Records);
        Assert.Null(call.Record);
        Assert.Null(call.Rendered);
    }

    /// <summary>
    /// A call whose client named Alice, whose vendor saw and answered <c>[NAME_1]</c>, and whose answer was restored,
    /// as the protect and restore steps leave it.
    /// </summary>
    private static Gateway.Pipeline.CallContext DeIdentifiedAndRestored(PolicyObligations obligations)
    {
        var call = CallContexts.Answered("Alice is stable.", useCase: TestConfig.VendorChat, obligations: obligations);
        call.Request = CallContexts.Chat(TestConfig.VendorChat.Id, "Alice is stable.");
        call.Body = Encoding.UTF8.GetBytes(call.Request.Body!.ToJsonString());
        call.VendorBody = CallContexts.Chat(TestConfig.VendorChat.Id, "[NAME_1] is stable.").Body;
        call.DeIdentification = DeIdentificationOutcomes.Applied;
        call.Redactions = [new("date", 1), new("name", 2)];
        call.VendorAnswer = CallContexts.Answer("[NAME_1] is stable.");
        call.Outcome = CallOutcomes.Answered;
        return call;
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class ReleaseStepTests
{
    private readonly FakeAuditTrail _audit = new();
    private readonly AuditRecorder _recorder;

    public ReleaseStepTests() => _recorder = new AuditRecorder(_audit, TimeProvider.System, NullLogger<AuditRecorder>.Instance);

    [Fact]
    public async Task Execute_Answered_WritesOnlyTheAdaptersReleaseWithTheGovernanceHeaders()
    {
        var adapter = new TestAdapter();
        await using var call = CallContexts.Answered("Stable.", obligations: new PolicyObligations { Review = ReviewRequirement.Draft }, adapter: adapter);
        call.Outcome = CallOutcomes.Answered;
        await Commit(call);

        await Release(call);

        var response = call.HttpContext.Response;
        var record = Assert.Single(_audit.Records);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("text/plain", response.ContentType);
        Assert.Equal("answer:Stable.", call.ResponseText());
        Assert.Equal(call.ResponseBytes().Length, response.ContentLength);
        Assert.Equal(CallContexts.TraceId, response.Headers[GatewayHeaders.TraceId]);
        Assert.Equal(record.Id, response.Headers[GatewayHeaders.AuditId]);
        Assert.Equal("2", response.Headers[GatewayHeaders.RiskTier]);
        Assert.Equal("local", response.Headers[GatewayHeaders.Provider]);
        Assert.Equal("required", response.Headers[GatewayHeaders.Review]);
        Assert.Equal(record.Id, response.Headers[TestAdapter.ReceiptHeader]);
        Assert.Equal(
            new CallReceipt(CallContexts.TraceId, record.Id, CallContexts.Sha256(call.ResponseBytes()), record.Entry.Timestamp),
            Assert.Single(adapter.Receipts));
    }

    [Fact]
    public async Task Execute_Refused_WritesTheRenderedErrorWithRetryAfterAndItsRecordsId()
    {
        await using var call = CallContexts.Governed();
        call.Error = new CallError(429, "rate_limited", "Too many calls.") { RetryAfter = TimeSpan.FromSeconds(2.5) };
        await Commit(call);

        await Release(call);

        var response = call.HttpContext.Response;
        Assert.Equal(429, response.StatusCode);
        Assert.Equal("error:rate_limited", call.ResponseText());
        Assert.Equal("3", response.Headers.RetryAfter);
        Assert.Equal(Assert.Single(_audit.Records).Id, response.Headers[GatewayHeaders.AuditId]);
        Assert.False(response.Headers.ContainsKey(GatewayHeaders.Provider));
    }

    [Fact]
    public async Task Execute_Held_WritesTheAdaptersHold()
    {
        await using var call = CallContexts.Answered(useCase: TestConfig.Held, obligations: new PolicyObligations { Review = ReviewRequirement.Hold });
        call.Outcome = CallOutcomes.Held;
        await Commit(call);
        call.Held = new HeldCall("review-1", call.Record!.Id, call.TraceId, TestConfig.Held.Id);

        await Release(call);

        var response = call.HttpContext.Response;
        Assert.Equal(202, response.StatusCode);
        Assert.Equal("held:review-1", call.ResponseText());
        Assert.Equal("/reviews/review-1", response.Headers.Location);
        Assert.Equal(call.Record.Id, response.Headers[GatewayHeaders.AuditId]);
        Assert.DoesNotContain("Stable", call.ResponseText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_ClientGone_WritesNothing()
    {
        using var aborted = new CancellationTokenSource();
        await using var call = CallContexts.Governed(aborted: aborted.Token);
        call.Error = CallError.ClientClosed("The client closed the request.");
        await Commit(call);
        await aborted.CancelAsync();

        await Release(call);

        Assert.Empty(call.ResponseBytes());
        Assert.False(call.HttpContext.Response.Headers.ContainsKey(GatewayHeaders.AuditId));
    }

    [Fact]
    public async Task Execute_Stream_WritesFramedChunksAndCommitsTheClosingRecordBeforeTheEnd()
    {
        await using var call = Streaming(new TestAnswerStream(["one", "two"]));
        await Commit(call);
        var opening = call.Record!;
        string? sentWhenClosed = null;
        _audit.Committing = _ => sentWhenClosed = call.ResponseText();

        await Release(call);

        var response = call.HttpContext.Response;
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("text/x-test-stream", response.ContentType);
        Assert.Equal("no-cache", response.Headers.CacheControl);
        Assert.Equal(opening.Id, response.Headers[GatewayHeaders.AuditId]);
        Assert.Equal("<one>\n<two>\n<end>\n", call.ResponseText());
        Assert.Equal("<one>\n<two>\n", sentWhenClosed);

        var closing = _audit.Records[^1].Entry;
        Assert.Equal(2, _audit.Records.Count);
        Assert.Equal(CallOutcomes.Answered, closing.Decision);
        Assert.Equal($"stream_opened_by:{opening.Id}", closing.Reasons);
        Assert.Equal(CallContexts.Sha256("<one>\n<two>\n"), closing.OutputSha256);
        Assert.True(closing.Streamed);
        Assert.Equal(CallOutcomes.Answered, call.Outcome);
    }

    [Fact]
    public async Task Execute_StreamedToolCallsUnderVerbatimAudit_TheClosingRecordKeepsWhatTheModelCalled()
    {
        StreamedToolCall[] calls = [new(0, "call_1", "lookup", """{"mrn":"12"}""")];
        await using var call = Streaming(new TestAnswerStream(["one"], content: string.Empty, toolCalls: calls));
        call.Obligations = new PolicyObligations { AuditVerbatim = true };
        await Commit(call);

        await Release(call);

        var output = System.Text.Json.Nodes.JsonNode.Parse(_audit.Records[^1].Entry.OutputText!)!;
        Assert.Equal("tool_calls", (string?)output["finish_reason"]);
        var toolCall = output["tool_calls"]![0]!;
        Assert.Equal("call_1", (string?)toolCall["id"]);
        Assert.Equal("function", (string?)toolCall["type"]);
        Assert.Equal("lookup", (string?)toolCall["function"]!["name"]);
        Assert.Equal("""{"mrn":"12"}""", (string?)toolCall["function"]!["arguments"]);
    }

    [Fact]
    public async Task Execute_StreamFailsAfterItStarted_EndsWithAnErrorFrameNeverTheEnd()
    {
        await using var call = Streaming(new TestAnswerStream(["one"], new CallError(502, "vendor_stream_broken", "The vendor hung up.")));
        await Commit(call);

        await Release(call);

        Assert.Equal("<one>\n!vendor_stream_broken\n", call.ResponseText());
        var closing = _audit.Records[^1].Entry;
        Assert.Equal(CallOutcomes.Failed, closing.Decision);
        Assert.Equal("vendor_stream_broken", closing.Reasons);
        Assert.Equal(502, closing.StatusCode);
        Assert.Equal(CallContexts.Sha256("<one>\n!vendor_stream_broken\n"), closing.OutputSha256);
        Assert.Equal(CallOutcomes.Failed, call.Outcome);
    }

    [Fact]
    public async Task Execute_StreamOverTheResponseLimit_IsCutThereWithAnErrorFrame()
    {
        // Two frames of 7 bytes fit in 14; the third would not.
        await using var call = Streaming(new TestAnswerStream(["aaaa", "bbbb", "cccc"]), TestConfig.Snapshot(o => o.MaxResponseBodyBytes = 14));
        await Commit(call);

        await Release(call);

        Assert.Equal("<aaaa>\n<bbbb>\n!response_too_large\n", call.ResponseText());
        var closing = _audit.Records[^1].Entry;
        Assert.Equal("response_too_large", closing.Reasons);
        Assert.Equal(502, closing.StatusCode);
        Assert.Equal(CallContexts.Sha256(call.ResponseText()), closing.OutputSha256);
    }

    [Fact]
    public async Task Execute_StreamsClosingRecordCannotCommit_EndsWithAuditUnavailableNotTheEnd()
    {
        await using var call = Streaming(new TestAnswerStream(["one"]));
        await Commit(call);
        _audit.Failing = true;

        await Release(call);

        Assert.Equal("<one>\n!audit_unavailable\n", call.ResponseText());
        Assert.Equal(CallOutcomes.Failed, call.Outcome);
    }

    private static CallContext Streaming(TestAnswerStream stream, XefAI.Gateway.Configuration.GatewaySnapshot? config = null)
    {
        var call = CallContexts.Governed(adapter: new TestAdapter { Streaming = TestAdapter.Framing.Instance }, config: config);
        call.Deployment = TestConfig.Vendor;
        call.Stream = stream;
        call.Outcome = CallOutcomes.Answered;
        return call;
    }

    private async Task Commit(CallContext call) => await new CommitAuditStep(_recorder).ExecuteAsync(call);

    private async Task Release(CallContext call) => await new ReleaseStep(_recorder).ExecuteAsync(call);
}

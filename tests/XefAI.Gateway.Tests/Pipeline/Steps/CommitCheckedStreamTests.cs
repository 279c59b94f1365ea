using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

/// <summary>The one record of a stream the output checks read whole, and what it hashes.</summary>
public sealed class CommitCheckedStreamTests
{
    private readonly FakeAuditTrail _audit = new();
    private readonly CommitAuditStep _step;

    public CommitCheckedStreamTests() =>
        _step = new CommitAuditStep(new AuditRecorder(_audit, TimeProvider.System, NullLogger<AuditRecorder>.Instance));

    [Fact]
    public async Task Execute_CheckedStream_RendersServerSentEventsAndCommitsOneStreamedRecordHashingThemAll()
    {
        await using var call = Checked();

        await _step.ExecuteAsync(call);

        var rendered = call.Rendered!;
        Assert.Equal("text/event-stream", rendered.ContentType);
        var text = Encoding.UTF8.GetString(rendered.Body.Span);
        Assert.StartsWith("data: {", text, StringComparison.Ordinal);
        Assert.Contains("\"content\":\"The patient is stable.\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal(CallOutcomes.Answered, entry.Decision);
        Assert.True(entry.Streamed);
        Assert.Equal(CheckedStream.Reason, entry.Reasons);
        Assert.Equal(CallContexts.Sha256(rendered.Body.Span), entry.OutputSha256);
    }

    [Fact]
    public async Task Execute_CheckedStreamVerbatim_KeepsTheStreamAsSent()
    {
        await using var call = Checked(new PolicyObligations { AuditVerbatim = true, AuditOriginalText = true });

        await _step.ExecuteAsync(call);

        Assert.Equal(Encoding.UTF8.GetString(call.Rendered!.Body.Span), Assert.Single(_audit.Records).Entry.OutputText);
    }

    [Fact]
    public async Task Execute_CheckedStreamOverTheResponseLimit_Is502JsonNotAStream()
    {
        await using var call = Checked(config: TestConfig.Snapshot(o => o.MaxResponseBodyBytes = 64));

        await _step.ExecuteAsync(call);

        Assert.Equal("response_too_large", call.Error?.Code);
        Assert.Equal("application/json", call.Rendered!.ContentType);
        var entry = Assert.Single(_audit.Records).Entry;
        Assert.False(entry.Streamed);
        Assert.Equal(502, entry.StatusCode);
    }

    [Fact]
    public async Task Execute_CheckedStreamAuditFails_NothingIsReleasedAsAStream()
    {
        _audit.Failing = true;
        await using var call = Checked();

        await _step.ExecuteAsync(call);

        Assert.Equal(AuditRecorder.Unavailable, call.Error);
        Assert.Equal(503, call.StatusCode);
    }

    private static CallContext Checked(PolicyObligations? obligations = null, GatewaySnapshot? config = null)
    {
        var call = CallContexts.Governed(obligations: obligations, adapter: ChatCompletionsAdapter.Instance, config: config);
        call.Deployment = TestConfig.Local;
        call.Answer = CallContexts.Answer("The patient is stable.");
        call.CheckedStream = new CheckedStream(IncludeUsage: false);
        return call;
    }
}

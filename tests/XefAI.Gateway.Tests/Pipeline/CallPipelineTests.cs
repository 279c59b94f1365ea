using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Data;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Reviews;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>The runner: the steps in order, the first refusal ends the way to the model, and every call is audited and answered.</summary>
public sealed class CallPipelineTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeAuditTrail _audit = new();
    private readonly FakeMetrics _metrics = new();
    private readonly FakeErrorRates _errorRates = new();
    private readonly List<ModelRequest> _modelRequests = [];
    private readonly FakeProviderCatalog _providers;
    private readonly WordProtector _protector = new("Alice", "[P1]");
    private readonly TestAdapter _adapter = new() { Translator = _ => Translation.Of(CallContexts.Chat(TestConfig.Summary.Id, "Summarize: Alice is stable.")) };

    public CallPipelineTests()
    {
        _providers = new(PluginDoubles.InProcessModel("local", r =>
        {
            _modelRequests.Add(r);
            return CallContexts.Answer("Stable.");
        }));
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Run_AllowedCall_GoesThroughEveryStepToAnAuditedAnswer()
    {
        var clinical = new FakeClinicalContextBuilder();
        var context = CallContexts.Create(_adapter).HttpContext;

        await Pipeline(ObligingDeIdentification(), clinical).RunAsync(context, _adapter);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("answer:Stable.", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
        var record = Assert.Single(_audit.Records);
        Assert.Equal(CallOutcomes.Answered, record.Entry.Decision);
        Assert.Equal(record.Id, context.Response.Headers[GatewayHeaders.AuditId]);
        Assert.Single(clinical.Inputs);
        Assert.Single(_protector.Begun);
        Assert.Equal("Summarize: [P1] is stable.", Assert.Single(Assert.Single(_modelRequests).Messages).Content);
        Assert.Equal(DeIdentificationOutcomes.Applied, record.Entry.DeIdentification);
        Assert.Equal("name=1", record.Entry.Redactions);
        Assert.Equal(CallOutcomes.Answered, Assert.Single(_metrics.Calls).Outcome);
        Assert.Equal([("name", 1)], _metrics.Redactions);
    }

    [Fact]
    public async Task Run_NoDeploymentMayServeTheCall_NothingIsProtectedBecauseProtectionComesAfterTheChoice()
    {
        var policies = new FakePolicyEngine(c => c.Deployment is null ? PolicyDecision.Allow : FakePolicyEngine.Deny("deployment_suspended"));
        var context = CallContexts.Create(_adapter).HttpContext;

        await Pipeline(policies, new FakeClinicalContextBuilder()).RunAsync(context, _adapter);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Empty(_protector.Begun);
        Assert.Empty(_modelRequests);
        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal("deployment_suspended", entry.Reasons);
        Assert.Null(entry.DeIdentification);
        Assert.Null(entry.Redactions);
        Assert.Empty(_metrics.Redactions);
    }

    [Fact]
    public async Task Run_EveryCandidateCoversPhi_TheModelGetsTheOriginalAndTheRecordSaysNotRequired()
    {
        var context = CallContexts.Create(_adapter).HttpContext;

        await Pipeline(new FakePolicyEngine(), new FakeClinicalContextBuilder()).RunAsync(context, _adapter);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Empty(_protector.Begun);
        Assert.Equal("Summarize: Alice is stable.", Assert.Single(Assert.Single(_modelRequests).Messages).Content);
        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal(DeIdentificationOutcomes.NotRequired, entry.DeIdentification);
        Assert.Null(entry.Redactions);
    }

    [Fact]
    public async Task Run_AStepRefuses_TheWayToTheModelEndsAndTheRefusalIsStillAuditedAndAnswered()
    {
        var clinical = new FakeClinicalContextBuilder();
        var policies = new FakePolicyEngine(_ => FakePolicyEngine.Deny("use_case_suspended"));
        var context = CallContexts.Create(_adapter).HttpContext;

        await Pipeline(policies, clinical).RunAsync(context, _adapter);

        // Govern refused: no step after it ran.
        Assert.Single(policies.Asked);
        Assert.Empty(clinical.Inputs);
        Assert.Empty(_protector.Begun);
        Assert.Empty(_providers.Asked);

        // Commit and release still ran.
        var record = Assert.Single(_audit.Records);
        Assert.Equal(CallOutcomes.Denied, record.Entry.Decision);
        Assert.Equal("use_case_suspended", record.Entry.Reasons);
        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("error:use_case_suspended", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
        Assert.Equal(record.Id, context.Response.Headers[GatewayHeaders.AuditId]);
        Assert.Equal(CallOutcomes.Denied, Assert.Single(_metrics.Calls).Outcome);
    }

    [Fact]
    public async Task Run_AStepIsCancelledBecauseTheClientLeft_TheCallIsAudited499ClientClosed()
    {
        using var client = new CancellationTokenSource();
        var clinical = new FakeClinicalContextBuilder(_ =>
        {
            client.Cancel();
            throw new OperationCanceledException(client.Token);
        });
        var context = CallContexts.Create(_adapter, aborted: client.Token).HttpContext;

        await Pipeline(new FakePolicyEngine(), clinical).RunAsync(context, _adapter);

        var entry = Assert.Single(_audit.Records).Entry;
        Assert.Equal(499, entry.StatusCode);
        Assert.Equal("client_closed", entry.Reasons);
        Assert.Equal(CallOutcomes.Failed, entry.Decision);
        Assert.Empty(_protector.Begun);
        Assert.Empty(((MemoryStream)context.Response.Body).ToArray());
        Assert.Equal(499, Assert.Single(_metrics.Calls).StatusCode);
        Assert.Equal([(TestConfig.Summary.Id, false)], _errorRates.Outcomes);
    }

    [Fact]
    public async Task Run_AStepThrows_TheCallIsAnswered500AndAuditedWithNoDetail()
    {
        var clinical = new FakeClinicalContextBuilder(_ => throw new InvalidOperationException("secret detail of a bug"));
        var context = CallContexts.Create(_adapter).HttpContext;

        await Pipeline(new FakePolicyEngine(), clinical).RunAsync(context, _adapter);

        var record = Assert.Single(_audit.Records);
        Assert.Equal(CallOutcomes.Failed, record.Entry.Decision);
        Assert.Equal("internal_error", record.Entry.Reasons);
        Assert.Equal(500, context.Response.StatusCode);
        var body = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Equal("error:internal_error", body);
        Assert.Empty(_protector.Begun);
        Assert.Empty(_providers.Asked);
    }

    [Fact]
    public async Task Run_AStepRunsOutOfMemory_503InsufficientMemoryWithRetryAfterAuditedAndNotCountedAgainstTheUseCase()
    {
        // Found under load: large PHI-dense bodies in flight at once under a container's memory limit were answered 500
        // internal_error ("a gateway bug") or 422 deidentification_failed; they are the gateway's capacity, for later.
        var clinical = new FakeClinicalContextBuilder(_ => throw new OutOfMemoryException());
        var context = CallContexts.Create(_adapter).HttpContext;

        await Pipeline(new FakePolicyEngine(), clinical).RunAsync(context, _adapter);

        var record = Assert.Single(_audit.Records);
        Assert.Equal(CallOutcomes.Failed, record.Entry.Decision);
        Assert.Equal("insufficient_memory", record.Entry.Reasons);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal([(TestConfig.Summary.Id, false)], _errorRates.Outcomes);
        Assert.Empty(_providers.Asked);
    }

    [Fact]
    public async Task Run_AuditStoreDown_503AndNotCountedTowardTheUseCasesAutomaticSuspension()
    {
        // Found by fault injection: a 7 s PostgreSQL outage under load suspended the use case, which then stayed
        // refused (403) after the database was back, until a person resumed it.
        _audit.Failing = true;
        var context = CallContexts.Create(_adapter).HttpContext;

        await Pipeline(ObligingDeIdentification(), new FakeClinicalContextBuilder()).RunAsync(context, _adapter);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal(CallOutcomes.Failed, Assert.Single(_metrics.Calls).Outcome);
        Assert.Equal([(TestConfig.Summary.Id, false)], _errorRates.Outcomes);
    }

    [Theory]
    [InlineData("vendor_error", true)]
    [InlineData("vendor_timeout", true)]
    [InlineData("vendor_invalid_response", true)]
    [InlineData("vendor_stream_truncated", true)]
    [InlineData("provider_error", true)]
    [InlineData("circuit_open", false)]
    [InlineData("vendor_unreachable", false)]
    [InlineData("vendor_auth_failed", false)]
    [InlineData("vendor_key_missing", false)]
    [InlineData("vendor_not_configured", false)]
    [InlineData("provider_unavailable", false)]
    [InlineData("no_provider", false)]
    [InlineData("audit_unavailable", false)]
    [InlineData("review_queue_unavailable", false)]
    [InlineData("internal_error", false)]
    [InlineData("insufficient_memory", false)]
    [InlineData("fhir_server_error", false)]
    public void CountsAgainstTheUseCase_FailuresOfTheModelPathCountOthersDoNot(string code, bool counts) =>
        Assert.Equal(counts, CallMeasurements.CountsAgainstTheUseCase(new CallError(503, code, "test")));

    /// <summary>Allows every call, and obliges de-identification for every deployment, as for one without a BAA.</summary>
    private static FakePolicyEngine ObligingDeIdentification() =>
        new(c => c.Deployment is null ? PolicyDecision.Allow : new PolicyDecision([]) { Obligations = new PolicyObligations { DeIdentify = true } });

    private CallPipeline Pipeline(IPolicyEngine policies, IClinicalContextBuilder clinical)
    {
        var time = TimeProvider.System;
        var recorder = new AuditRecorder(_audit, time, NullLogger<AuditRecorder>.Instance);
        var forwarder = new VendorForwarder(null!, null!, new VendorDestinations([], time), new VendorCallBounds(new OverloadOptions()), time, NullLogger<VendorForwarder>.Instance);
        var shedder = new LoadShedder(new OverloadOptions(), 1, _metrics);
        return new CallPipeline(
            new AuthenticateStep(),
            new ReadRequestStep(shedder, NullLogger<ReadRequestStep>.Instance),
            new ResolveUseCaseStep(),
            new GovernStep(policies, _metrics),
            new BufferCheckedStreamStep([]),
            new BuildContextStep(clinical, new FakePseudonymizer()),
            new ComposePromptStep(new FakeTemplateCatalog((_, _, _, _) => throw new InvalidOperationException("No template in these tests."))),
            new ChooseDeploymentsStep(policies, _providers, _protector, _metrics),
            new ProtectDataStep(_protector),
            new InvokeModelStep(new ModelInvoker(_providers, forwarder, _metrics, time, NullLogger<ModelInvoker>.Instance), shedder, time),
            new RestoreDataStep(),
            new CheckOutputStep([], _metrics),
            new ReviewStep(),
            new CommitAuditStep(recorder),
            new QueueReviewStep(new FakeReviewQueue(), new ReviewMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), recorder, NullLogger<QueueReviewStep>.Instance),
            new ReleaseStep(recorder),
            TestConfig.Snapshots(),
            new CallMeasurements(_metrics, _errorRates, time),
            shedder,
            time,
            NullLogger<CallPipeline>.Instance);
    }
}

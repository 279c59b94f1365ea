using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Data;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

/// <summary>The step only hands the call to the invoker and keeps its outcome; retry, breaker and fallback are the functional tests'.</summary>
public sealed class InvokeModelStepTests
{
    private readonly List<ModelRequest> _asked = [];

    [Fact]
    public async Task Execute_TheModelGetsTheComposedConversationAndTheAnswerIsKept()
    {
        await using var call = CallContexts.Governed();
        call.Messages = [new ChatMessage("user", "[PATIENT-1] is stable.")];
        call.VendorBody = new JsonObject { ["messages"] = new JsonArray() };
        call.Clinical = new ClinicalContext([new ClinicalFact("Condition", "Asthma", "2020-01-01", "active")], ["free text"], null, 1);
        call.Candidates.Add(TestConfig.Local);

        await Step().ExecuteAsync(call);

        Assert.Null(call.Error);
        var asked = Assert.Single(_asked);
        Assert.Same(call.Messages, asked.Messages);
        Assert.Same(call.VendorBody, asked.Body);
        Assert.Equal([new ContextFact("Condition", "Asthma", "2020-01-01", "active")], asked.Context.Facts);
        Assert.Equal(["free text"], asked.Context.FreeText);
        Assert.Equal("answer to [PATIENT-1] is stable.", call.Answer?.Content);
        Assert.Same(TestConfig.Local, call.Deployment);
        Assert.Equal("answered", Assert.Single(call.Invocation!.Attempts).Outcome);
        Assert.NotNull(call.Attempts);
        Assert.NotNull(call.VendorDuration);
    }

    [Fact]
    public async Task Execute_NoDeploymentCanAnswer_TheCallCarriesTheLastAttemptsError()
    {
        var orphan = TestConfig.Local with { Id = "orphan", Kind = "no-such-kind" };
        await using var call = CallContexts.Governed();
        call.Candidates.Add(orphan);

        await Step().ExecuteAsync(call);

        Assert.Equal(503, call.Error?.StatusCode);
        Assert.Equal("provider_unavailable", call.Error!.Code);
        Assert.Null(call.Answer);
        Assert.Same(orphan, call.Deployment);
        Assert.Empty(_asked);
    }

    private InvokeModelStep Step()
    {
        var time = TimeProvider.System;
        var providers = new FakeProviderCatalog(PluginDoubles.InProcessModel("local", request =>
        {
            _asked.Add(request);
            return CallContexts.Answer("answer to " + request.Messages[^1].Content);
        }));

        // In-process deployments only: the vendor forwarder's proxy state and HTTP forwarder are never reached.
        var forwarder = new VendorForwarder(null!, null!, new VendorDestinations([], time), new VendorCallBounds(new OverloadOptions()), time, NullLogger<VendorForwarder>.Instance);
        return new InvokeModelStep(
            new ModelInvoker(providers, forwarder, new FakeMetrics(), time, NullLogger<ModelInvoker>.Instance), new LoadShedder(new OverloadOptions(), 1, new FakeMetrics()), time);
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace XefAI.Governance.Tests;

/// <summary>The OpenTelemetry GenAI attributes, the stream and retry series, and the series exported at zero.</summary>
public sealed class GenAiMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MetricRecorder _recorder;
    private readonly GatewayMetrics _metrics;

    public GenAiMetricsTests()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _recorder = new MetricRecorder(meterFactory);
        _metrics = new GatewayMetrics(meterFactory);
    }

    [Fact]
    public void RecordCall_FailedAtAzureOpenAIHost_CarriesTheSemanticConventionAttributesAndErrorType()
    {
        _metrics.RecordCall(new CallMeasurement(
            "discharge-summary", 3, "openai", "gpt-4o", "failed", 502,
            TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1.5), InputTokens: 100, OutputTokens: 7,
            Deployment: "azure-gpt-4o", ErrorType: "vendor_error", Operation: GenAiOperations.Chat,
            ResponseModel: "other", ServerAddress: "clinic-east.openai.azure.com", App: "ehr"));

        var duration = Assert.Single(_recorder.For("gen_ai.client.operation.duration"));
        AssertTags(
            duration,
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.provider.name", "azure.ai.openai"),
            ("gen_ai.request.model", "gpt-4o"),
            ("gen_ai.response.model", "other"),
            ("server.address", "clinic-east.openai.azure.com"),
            ("error.type", "vendor_error"),
            ("xefai.use_case", "discharge-summary"));

        var tokens = _recorder.For("gen_ai.client.token.usage");
        Assert.Equal(["input", "output"], tokens.Select(t => (string)t.Tags["gen_ai.token.type"]!).Order());
        Assert.All(tokens, t => Assert.Equal("azure.ai.openai", t.Tags["gen_ai.provider.name"]));
        Assert.All(tokens, t => Assert.Equal("clinic-east.openai.azure.com", t.Tags["server.address"]));
        Assert.All(tokens, t => Assert.Equal("vendor_error", t.Tags["error.type"]));

        // The gateway's own series keep the configured kind, and name the deployment that failed.
        var request = Assert.Single(_recorder.For("xefai.requests"));
        Assert.Equal("openai", request.Tags["provider"]);
        Assert.Equal("azure-gpt-4o", request.Tags["deployment"]);
    }

    [Fact]
    public void RecordCall_Embeddings_AreNamedAsSuchWithoutErrorType()
    {
        _metrics.RecordCall(new CallMeasurement(
            "search", 1, "openai", "text-embedding-3-small", "answered", 200,
            TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(250), InputTokens: 12, OutputTokens: null,
            Operation: GenAiOperations.Embeddings, ResponseModel: "text-embedding-3-small", ServerAddress: "api.openai.com"));

        var duration = Assert.Single(_recorder.For("gen_ai.client.operation.duration"));
        Assert.Equal("embeddings", duration.Tags["gen_ai.operation.name"]);
        Assert.Equal("openai", duration.Tags["gen_ai.provider.name"]);
        Assert.Equal("text-embedding-3-small", duration.Tags["gen_ai.response.model"]);
        Assert.False(duration.Tags.ContainsKey("error.type"));
        Assert.Equal("input", Assert.Single(_recorder.For("gen_ai.client.token.usage")).Tags["gen_ai.token.type"]);
    }

    [Fact]
    public void RecordCall_InProcessModel_HasNoServerAddress()
    {
        _metrics.RecordCall(new CallMeasurement(
            "summary", 2, "local", "xefai-local-extractive", "answered", 200,
            TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(1), InputTokens: 3, OutputTokens: 3));

        var duration = Assert.Single(_recorder.For("gen_ai.client.operation.duration"));
        Assert.Equal("local", duration.Tags["gen_ai.provider.name"]);
        Assert.False(duration.Tags.ContainsKey("server.address"));
    }

    [Theory]
    [InlineData("openai", null, "openai")]
    [InlineData("openai", "api.openai.com", "openai")]
    [InlineData("openai", "east.openai.azure.com", "azure.ai.openai")]
    [InlineData("anthropic", "api.anthropic.com", "anthropic")]
    [InlineData("bedrock", null, "aws.bedrock")]
    [InlineData("echo", null, "echo")]
    public void ProviderName_MapsKindsToTheWellKnownValues(string kind, string? host, string expected) =>
        Assert.Equal(expected, GatewayMetrics.ProviderName(kind, host));

    [Fact]
    public void RecordCall_Priced_CountsSpendByAppAndUseCase()
    {
        _metrics.RecordCall(new CallMeasurement(
            "summary", 2, "openai", "gpt-4o", "answered", 200, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 10, 10,
            CostUsd: 0.5, App: "ehr"));

        var cost = Assert.Single(_recorder.For("xefai.cost"));
        Assert.Equal("ehr", cost.Tags["app"]);
        Assert.Equal("summary", cost.Tags["use_case"]);
        Assert.Equal(0.5, cost.Value, 9);
    }

    [Fact]
    public void ExportSeries_ExportsEveryBuiltInDenialReasonAtZero()
    {
        _metrics.ExportSeries();

        var denials = _recorder.For("xefai.policy.denials");

        Assert.Equal(GatewayMetrics.BuiltInDenialReasons.Order(), denials.Select(d => (string)d.Tags["reason"]!).Order());
        Assert.All(denials, d => Assert.Equal(0, d.Value));
        Assert.Contains(denials, d => (string?)d.Tags["reason"] == "use_case_suspended");
        Assert.Equal(["committed", "failed"], _recorder.For("xefai.audit.writes").Select(w => (string)w.Tags["outcome"]!).Order());
        Assert.All(_recorder.For("xefai.audit.writes"), w => Assert.Equal(0, w.Value));
    }

    [Fact]
    public void ExportUseCase_AddsZeroForEveryOutcome()
    {
        _metrics.ExportUseCase("summary", 2);

        var requests = _recorder.For("xefai.requests");
        Assert.Equal(["answered", "denied", "failed", "held"], requests.Select(r => (string)r.Tags["outcome"]!).Order());
        Assert.All(requests, r => Assert.Equal(0, r.Value));
        Assert.All(requests, r => Assert.Equal("summary", r.Tags["use_case"]));
        Assert.All(requests, r => Assert.Equal("2", r.Tags["tier"]));
    }

    [Fact]
    public void RecordRetry_CountsByDeploymentDestinationAndReason()
    {
        _metrics.RecordRetry("gpt-east", "openai/east", "vendor_rate_limited");

        var retry = Assert.Single(_recorder.For("xefai.retries"));
        Assert.Equal("{retry}", retry.Instrument.Unit);
        Assert.Equal(1, retry.Value);
        AssertTags(retry, ("deployment", "gpt-east"), ("destination", "openai/east"), ("reason", "vendor_rate_limited"));
    }

    [Fact]
    public void RecordChunks_RecordTimeToFirstAndPerOutputChunkInSeconds()
    {
        var call = new StreamedCall("summary", "anthropic", "claude-sonnet", "api.anthropic.com");

        _metrics.RecordTimeToFirstChunk(in call, TimeSpan.FromMilliseconds(420));
        _metrics.RecordTimePerOutputChunk(in call, TimeSpan.FromMilliseconds(30));
        _metrics.RecordTimePerOutputChunk(in call, TimeSpan.FromMilliseconds(40));

        var first = Assert.Single(_recorder.For("gen_ai.client.operation.time_to_first_chunk"));
        Assert.Equal("s", first.Instrument.Unit);
        Assert.Equal(0.42, first.Value, 9);
        AssertTags(
            first,
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.provider.name", "anthropic"),
            ("gen_ai.request.model", "claude-sonnet"),
            ("server.address", "api.anthropic.com"),
            ("xefai.use_case", "summary"));
        Assert.Equal([0.03, 0.04], _recorder.For("gen_ai.client.operation.time_per_output_chunk").Select(c => Math.Round(c.Value, 9)));
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _services.Dispose();
    }

    private static void AssertTags(MetricRecorder.Measurement measurement, params (string Key, object Value)[] expected)
    {
        Assert.Equal(expected.Length, measurement.Tags.Count);
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value, measurement.Tags[key]);
        }
    }
}

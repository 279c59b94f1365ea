using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace XefAI.Governance.Tests;

public sealed class GatewayMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MetricRecorder _recorder;
    private readonly GatewayMetrics _metrics;

    public GatewayMetricsTests()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _recorder = new MetricRecorder(meterFactory);
        _metrics = new GatewayMetrics(meterFactory);
    }

    [Fact]
    public void RecordCall_VendorCalled_RecordsEveryInstrumentWithItsTags()
    {
        _metrics.RecordCall(new CallMeasurement(
            "discharge-summary", 3, "openai", "gpt-4.1", "answered", 200,
            TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(1200), InputTokens: 812, OutputTokens: 240, Deployment: "openai-gpt-4-1"));

        var request = Assert.Single(_recorder.For("xefai.requests"));
        Assert.Equal(GovernanceTelemetry.MeterName, request.Instrument.Meter.Name);
        Assert.Equal("{request}", request.Instrument.Unit);
        Assert.Equal(1, request.Value);
        AssertTags(request, ("use_case", "discharge-summary"), ("tier", "3"), ("provider", "openai"), ("deployment", "openai-gpt-4-1"), ("outcome", "answered"), ("status_code", 200));

        var duration = Assert.Single(_recorder.For("xefai.request.duration"));
        Assert.Equal("s", duration.Instrument.Unit);
        Assert.Equal(1.5, duration.Value, 9);
        AssertTags(duration, ("use_case", "discharge-summary"), ("tier", "3"), ("outcome", "answered"));

        var vendor = Assert.Single(_recorder.For("gen_ai.client.operation.duration"));
        Assert.Equal(1.2, vendor.Value, 9);
        AssertTags(vendor, ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4.1"), ("xefai.use_case", "discharge-summary"));

        var overhead = Assert.Single(_recorder.For("xefai.gateway.overhead"));
        Assert.Equal(0.3, overhead.Value, 9);

        var tokens = _recorder.For("gen_ai.client.token.usage");
        Assert.Equal("{token}", tokens[0].Instrument.Unit);
        Assert.Equal(
            [("input", 812.0), ("output", 240.0)],
            tokens.Select(t => ((string)t.Tags["gen_ai.token.type"]!, t.Value)).Order());
        Assert.All(tokens, t => Assert.Equal("gpt-4.1", t.Tags["gen_ai.request.model"]));
        Assert.All(tokens, t => Assert.Equal("openai", t.Tags["gen_ai.provider.name"]));
    }

    [Fact]
    public void RecordCall_DeniedBeforeAnyVendor_RecordsNoVendorTimeOverheadOrTokens()
    {
        _metrics.RecordCall(new CallMeasurement(
            "other", 0, "none", "none", "denied", 403, TimeSpan.FromMilliseconds(4), VendorDuration: null, InputTokens: null, OutputTokens: null));

        AssertTags(Assert.Single(_recorder.For("xefai.requests")), ("use_case", "other"), ("tier", "0"), ("provider", "none"), ("deployment", "none"), ("outcome", "denied"), ("status_code", 403));
        Assert.Equal(0.004, Assert.Single(_recorder.For("xefai.request.duration")).Value, 9);
        Assert.Empty(_recorder.For("gen_ai.client.operation.duration"));
        Assert.Empty(_recorder.For("xefai.gateway.overhead"));
        Assert.Empty(_recorder.For("gen_ai.client.token.usage"));
    }

    [Fact]
    public void RecordCall_Priced_AddsTheCostInDollarsByUseCaseProviderAndModel()
    {
        _metrics.RecordCall(Answered(costUsd: 0.0125));
        _metrics.RecordCall(Answered(costUsd: 0.0075));

        var costs = _recorder.For("xefai.cost");
        Assert.Equal(2, costs.Count);
        Assert.Equal(GovernanceTelemetry.MeterName, costs[0].Instrument.Meter.Name);
        Assert.Equal("USD", costs[0].Instrument.Unit);
        Assert.Equal(0.02, costs.Sum(c => c.Value), 12);
        Assert.All(costs, c => AssertTags(c, ("app", "none"), ("use_case", "discharge-summary"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4.1")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RecordCall_UnpricedOrInvalidCost_AddsNoCost(double? costUsd)
    {
        _metrics.RecordCall(Answered(costUsd));

        Assert.Empty(_recorder.For("xefai.cost"));
        Assert.Single(_recorder.For("xefai.requests"));
    }

    [Fact]
    public void RecordCall_FreeCall_AddsZeroCost()
    {
        _metrics.RecordCall(Answered(costUsd: 0));

        Assert.Equal(0, Assert.Single(_recorder.For("xefai.cost")).Value);
    }

    [Fact]
    public void RecordFallback_CountsByUseCaseDeploymentLeftAndReason()
    {
        _metrics.RecordFallback("discharge-summary", "gpt-eu-1", "vendor_timeout");
        _metrics.RecordFallback("discharge-summary", "gpt-eu-1", "vendor_timeout");
        _metrics.RecordFallback("coding-assist", "claude-us", "circuit_open");

        var fallbacks = _recorder.For("xefai.fallbacks");
        Assert.Equal("{fallback}", fallbacks[0].Instrument.Unit);
        Assert.Equal(GovernanceTelemetry.MeterName, fallbacks[0].Instrument.Meter.Name);
        Assert.All(fallbacks, f => Assert.Equal(1, f.Value));
        AssertTags(fallbacks[0], ("use_case", "discharge-summary"), ("from_deployment", "gpt-eu-1"), ("reason", "vendor_timeout"));
        AssertTags(fallbacks[2], ("use_case", "coding-assist"), ("from_deployment", "claude-us"), ("reason", "circuit_open"));
        Assert.Equal(2, fallbacks.Count(f => (string?)f.Tags["from_deployment"] == "gpt-eu-1"));
    }

    [Fact]
    public void RecordDeprecatedModelCall_CountsByDeployment()
    {
        _metrics.RecordDeprecatedModelCall("gpt-4o-2024");
        _metrics.RecordDeprecatedModelCall("gpt-4o-2024");
        _metrics.RecordDeprecatedModelCall("triage-v1");

        var calls = _recorder.For("xefai.deprecated_model.calls");
        Assert.Equal("{call}", calls[0].Instrument.Unit);
        Assert.Equal(GovernanceTelemetry.MeterName, calls[0].Instrument.Meter.Name);
        Assert.All(calls, c => Assert.Equal(1, c.Value));
        Assert.Equal(["gpt-4o-2024", "gpt-4o-2024", "triage-v1"], calls.Select(c => (string)c.Tags["deployment"]!));
        AssertTags(calls[2], ("deployment", "triage-v1"));
    }

    [Fact]
    public void RecordPolicyDenial_CountsByReason()
    {
        _metrics.RecordPolicyDenial("use_case_suspended");
        _metrics.RecordPolicyDenial("use_case_suspended");
        _metrics.RecordPolicyDenial("use_case_retired");

        _metrics.ExportSeries();
        var denials = _recorder.For("xefai.policy.denials");
        Assert.Equal(2, denials.Where(d => (string?)d.Tags["reason"] == "use_case_suspended").Sum(d => d.Value));
        Assert.Equal(1, denials.Where(d => (string?)d.Tags["reason"] == "use_case_retired").Sum(d => d.Value));
    }

    [Fact]
    public void RecordAuditWrite_RecordsOutcomeAndSeconds()
    {
        _metrics.RecordAuditWrite(committed: true, TimeSpan.FromMilliseconds(3));
        _metrics.RecordAuditWrite(committed: false, TimeSpan.FromSeconds(1));

        Assert.Equal(["committed", "failed"], _recorder.For("xefai.audit.writes").Select(w => (string)w.Tags["outcome"]!));
        Assert.Equal([0.003, 1.0], _recorder.For("xefai.audit.write.duration").Select(d => Math.Round(d.Value, 9)));
    }

    [Fact]
    public void RecordPhiRedactions_CountsValuesByKindAddsZeroAndNeverGoesDown()
    {
        _metrics.RecordPhiRedactions("name", 3);
        _metrics.RecordPhiRedactions("date", 1);
        _metrics.RecordPhiRedactions("name", 0);
        _metrics.RecordPhiRedactions("name", -2);

        var redactions = _recorder.For("xefai.phi.redactions");
        Assert.Equal([("name", 3.0), ("date", 1.0), ("name", 0.0)], redactions.Select(r => ((string)r.Tags["kind"]!, r.Value)));
        Assert.All(redactions, r => Assert.Equal("{value}", r.Instrument.Unit));
        AssertTags(redactions[0], ("kind", "name"));
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _services.Dispose();
    }

    private static CallMeasurement Answered(double? costUsd) => new(
        "discharge-summary", 3, "openai", "gpt-4.1", "answered", 200,
        TimeSpan.FromMilliseconds(900), TimeSpan.FromMilliseconds(800), InputTokens: 812, OutputTokens: 240, costUsd);

    private static void AssertTags(MetricRecorder.Measurement measurement, params (string Key, object Value)[] expected)
    {
        Assert.Equal(expected.Length, measurement.Tags.Count);
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value, measurement.Tags[key]);
        }
    }
}

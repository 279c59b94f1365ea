using XefAI.Gateway.Configuration;

namespace XefAI.Gateway.Tests.Configuration;

public sealed class DriftOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var options = new GatewayOptions();

        Assert.True(new GatewayOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(500, options.Drift.BaselineCalls);
        Assert.Equal(500, options.Drift.WindowCalls);
        Assert.Equal(0.2, options.Drift.Threshold);
        Assert.False(options.Drift.OpenIncident);
    }

    [Fact]
    public void Validate_EveryDriftSettingOutOfRange_AllReportedAtOnce()
    {
        var options = new GatewayOptions { Drift = new DriftOptions { BaselineCalls = 5, WindowCalls = 0, Threshold = double.NaN } };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures, f => f.StartsWith("Gateway:Drift:BaselineCalls must be from 10", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.StartsWith("Gateway:Drift:WindowCalls must be from 10", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.StartsWith("Gateway:Drift:Threshold must be above 0", StringComparison.Ordinal));
    }
}

using XefAI.Gateway.Pipeline;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>What <c>xefai_circuit_state</c> reads of a destination's breaker: 0 closed, 2 open; never a new breaker.</summary>
public sealed class CircuitStateTests
{
    private static readonly BreakerSettings Settings = new(FailureRatio: 0.5, MinimumThroughput: 2, SamplingDuration: TimeSpan.FromMinutes(1), BreakDuration: TimeSpan.FromMinutes(5));

    [Fact]
    public void StateOf_DestinationNeverCalled_IsClosedAndBuildsNoBreaker()
    {
        var breakers = new CircuitBreakers<bool>(outcome => outcome.Result, TimeProvider.System);

        Assert.Equal(0, breakers.StateOf("vendor/primary"));
        Assert.Equal(0, breakers.Count);
    }

    [Fact]
    public async Task StateOf_AfterFailuresOpenTheCircuit_IsTwoForThatDestinationOnly()
    {
        var breakers = new CircuitBreakers<bool>(outcome => outcome.Result, TimeProvider.System);
        var failing = breakers.BreakerFor("vendor/primary", Settings);
        var healthy = breakers.BreakerFor("vendor/secondary", Settings);
        for (var i = 0; i < Settings.MinimumThroughput; i++)
        {
            await failing.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(true));
            await healthy.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(false));
        }

        Assert.Equal(2, breakers.StateOf("vendor/primary"));
        Assert.Equal(2, breakers.StateOf("VENDOR/PRIMARY"));
        Assert.Equal(0, breakers.StateOf("vendor/secondary"));
    }
}

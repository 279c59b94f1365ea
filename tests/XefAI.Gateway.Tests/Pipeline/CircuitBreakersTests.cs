using Polly.CircuitBreaker;
using XefAI.Gateway.Pipeline;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>
/// A circuit breaker is state, not configuration: a configuration edit rebuilds the breakers of the destinations whose
/// own settings or address it changed, and leaves every other breaker, open ones included, as it was.
/// </summary>
public sealed class CircuitBreakersTests
{
    private static readonly BreakerSettings Settings = new(FailureRatio: 0.5, MinimumThroughput: 2, SamplingDuration: TimeSpan.FromMinutes(1), BreakDuration: TimeSpan.FromMinutes(5));

    [Fact]
    public async Task BreakerFor_UnrelatedEditGivesEqualSettings_OpenBreakerStaysOpen()
    {
        var breakers = NewBreakers();
        var open = await OpenAsync(breakers, "vendor/primary", Settings, "http://vendor-a/v1");

        // What a reload of an unrelated section hands over: equal values in a new settings object.
        var afterEdit = breakers.BreakerFor("vendor/primary", Settings with { }, "http://vendor-a/v1");

        Assert.Same(open, afterEdit);
        Assert.Equal(CircuitState.Open, afterEdit.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => afterEdit.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(Attempt.Answered)).AsTask());
    }

    [Fact]
    public async Task BreakerFor_ChangedSettingsOfOneDestination_RebuildsOnlyThatDestination()
    {
        var breakers = NewBreakers();
        var first = await OpenAsync(breakers, "vendor/primary", Settings);
        var second = await OpenAsync(breakers, "vendor/secondary", Settings);
        var changed = Settings with { BreakDuration = TimeSpan.FromMinutes(4) };

        var rebuilt = breakers.BreakerFor("vendor/primary", changed);
        var untouched = breakers.BreakerFor("vendor/secondary", Settings);

        Assert.NotSame(first, rebuilt);
        Assert.Equal(CircuitState.Closed, rebuilt.State);
        Assert.Equal(changed, rebuilt.Settings);
        Assert.Same(second, untouched);
        Assert.Equal(CircuitState.Open, untouched.State);

        // The new settings stay: asking again does not rebuild, and the new breaker counts failures afresh.
        Assert.Same(rebuilt, breakers.BreakerFor("vendor/primary", changed));
        Assert.Equal(Attempt.Answered, await rebuilt.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(Attempt.Answered)));
    }

    [Fact]
    public async Task BreakerFor_DestinationRepointed_RebuildsOnlyThatDestination()
    {
        var breakers = NewBreakers();
        var repointed = await OpenAsync(breakers, "vendor/primary", Settings, "http://vendor-a/v1");
        var other = await OpenAsync(breakers, "vendor/secondary", Settings, "http://vendor-b/v1");

        var rebuilt = breakers.BreakerFor("vendor/primary", Settings, "http://vendor-c/v1");

        Assert.NotSame(repointed, rebuilt);
        Assert.Equal(CircuitState.Closed, rebuilt.State);
        Assert.Equal("http://vendor-c/v1", rebuilt.Address);
        Assert.Same(other, breakers.BreakerFor("vendor/secondary", Settings, "http://vendor-b/v1"));
        Assert.Equal(CircuitState.Open, other.State);
    }

    [Fact]
    public async Task BreakerFor_OutcomesThatAreNotFailures_LeaveTheCircuitClosed()
    {
        var breakers = NewBreakers();
        var breaker = breakers.BreakerFor("vendor/primary", Settings);

        for (var i = 0; i < 4; i++)
        {
            await breaker.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(Attempt.Refused));
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public void BreakerFor_DestinationIdsDifferInCase_OneBreaker()
    {
        var breakers = NewBreakers();

        var breaker = breakers.BreakerFor("Vendor/Primary", Settings);

        Assert.Same(breaker, breakers.BreakerFor("vendor/primary", Settings));
        Assert.Equal(1, breakers.Count);
    }

    [Fact]
    public async Task BreakerFor_CircuitOpensHalfOpensAndCloses_TellsEachTransitionWithItsDestination()
    {
        var time = new ManualClock();
        var told = new List<(string Destination, CircuitState State)>();
        var breakers = new CircuitBreakers<Attempt>(outcome => outcome.Result is { Failed: true }, time, (d, s) => told.Add((d, s)));
        var breaker = await OpenAsync(breakers, "vendor/primary", Settings);
        Assert.Equal([("vendor/primary", CircuitState.Open)], told);

        // After the break the next attempt is the trial: it half-opens the circuit, and its success closes it.
        time.Now += Settings.BreakDuration + TimeSpan.FromSeconds(1);
        await breaker.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(Attempt.Answered));

        Assert.Equal(
            [("vendor/primary", CircuitState.Open), ("vendor/primary", CircuitState.HalfOpen), ("vendor/primary", CircuitState.Closed)],
            told);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task IsOpen_AfterTheBreak_IsFalseSoTheDestinationIsOfferedForTheTrial()
    {
        // The invoker leaves out destinations whose breaker IsOpen; Polly half-opens a circuit only on an attempt. Were an
        // open circuit still IsOpen after its break, its destination (a cluster's only one) would never be tried again.
        var time = new ManualClock();
        var breakers = new CircuitBreakers<Attempt>(outcome => outcome.Result is { Failed: true }, time);
        var breaker = await OpenAsync(breakers, "vendor/primary", Settings);

        time.Now += Settings.BreakDuration - TimeSpan.FromSeconds(1);
        Assert.True(breaker.IsOpen);

        time.Now += TimeSpan.FromSeconds(2);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.IsOpen);

        // The trial goes through, and its failure opens the circuit for another break.
        await breaker.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(Attempt.Failure));
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.True(breaker.IsOpen);
    }

    [Fact]
    public async Task RemainingBreak_WhileOpen_CountsDownToTheTrialAndIsNullOnceClosed()
    {
        var time = new ManualClock();
        var breakers = new CircuitBreakers<Attempt>(outcome => outcome.Result is { Failed: true }, time);
        Assert.Null(breakers.BreakerFor("vendor/primary", Settings).RemainingBreak);
        var breaker = await OpenAsync(breakers, "vendor/primary", Settings);

        Assert.Equal(Settings.BreakDuration, breaker.RemainingBreak);
        time.Now += TimeSpan.FromMinutes(2);
        Assert.Equal(Settings.BreakDuration - TimeSpan.FromMinutes(2), breaker.RemainingBreak);
        time.Now += Settings.BreakDuration;
        Assert.Equal(TimeSpan.Zero, breaker.RemainingBreak);

        await breaker.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(Attempt.Answered));
        Assert.Null(breaker.RemainingBreak);
    }

    private static CircuitBreakers<Attempt> NewBreakers() => new(outcome => outcome.Result is { Failed: true }, TimeProvider.System);

    private static async Task<CircuitBreaker<Attempt>> OpenAsync(CircuitBreakers<Attempt> breakers, string destination, BreakerSettings settings, string? address = null)
    {
        var breaker = breakers.BreakerFor(destination, settings, address);
        for (var i = 0; i < settings.MinimumThroughput; i++)
        {
            await breaker.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(Attempt.Failure));
        }

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.True(breaker.IsOpen);
        return breaker;
    }

    /// <summary>A clock the test moves: the break's end is read from it.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;

        public override long GetTimestamp() => Now.UtcTicks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    /// <summary>An attempt's outcome as the invoker sees it: answered, failed (retryable, counts), or refused (the client's fault).</summary>
    private sealed record Attempt(string Outcome, bool Failed)
    {
        public static readonly Attempt Answered = new("answered", false);
        public static readonly Attempt Failure = new("vendor_error", true);
        public static readonly Attempt Refused = new("invalid_request", false);
    }
}

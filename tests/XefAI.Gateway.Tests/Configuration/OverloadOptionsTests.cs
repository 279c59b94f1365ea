using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Tests.Pipeline.TestSupport;

namespace XefAI.Gateway.Tests.Configuration;

public sealed class OverloadOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var options = new GatewayOptions();

        Assert.True(new GatewayOptionsValidator().Validate(null, options).Succeeded);
        Assert.Null(options.Overload.MaxConcurrentCalls);
        Assert.Equal(32, options.Overload.QueueLimit);
        Assert.Equal(1, options.Overload.RetryAfterSeconds);
    }

    [Fact]
    public void Validate_EveryOverloadSettingOutOfRange_AllReportedAtOnce()
    {
        var options = new GatewayOptions
        {
            Overload = new OverloadOptions { MaxConcurrentCalls = -1, QueueLimit = -1, RetryAfterSeconds = 0, MaxReadingCalls = -1, MaxBodyBytesInFlight = 1000 },
        };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures, f => f.StartsWith("Gateway:Overload:MaxConcurrentCalls must be from 0 (no limit)", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.StartsWith("Gateway:Overload:QueueLimit must be from 0", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.StartsWith("Gateway:Overload:RetryAfterSeconds must be from 1 to 3600", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.StartsWith("Gateway:Overload:MaxReadingCalls must be from 0 (no limit) to 1000000", StringComparison.Ordinal));
        Assert.Contains(
            "Gateway:Overload:MaxBodyBytesInFlight must be 0 (no budget) or at least 65536 bytes, or unset for 1/256 of the memory the GC may use, not 1000.",
            result.Failures);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(65536L)]
    [InlineData(null)]
    public void Validate_BodyBudgetOffOrLargeEnough_Succeeds(long? budget) =>
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions { Overload = new OverloadOptions { MaxBodyBytesInFlight = budget } }).Succeeded);

    [Theory]
    [InlineData(null, null, 2, 2048)]
    [InlineData(null, 16, 2, 64)]
    [InlineData(null, 0, 2, 0)]
    [InlineData(5, 16, 2, 5)]
    [InlineData(0, 16, 2, 0)]
    public void EffectiveMaxReadingCalls_UnsetFourPerPlace(int? configured, int? places, int processors, int expected) =>
        Assert.Equal(expected, new OverloadOptions { MaxReadingCalls = configured, MaxConcurrentCalls = places }.EffectiveMaxReadingCalls(processors));

    [Theory]
    [InlineData(null, 400L * 1024 * 1024, 1638400L)]
    [InlineData(null, 24L * 1024 * 1024 * 1024, 100663296L)]
    [InlineData(null, 1024L * 1024, 65536L)]
    [InlineData(0L, 1024L * 1024 * 1024, 0L)]
    [InlineData(8388608L, 1024L * 1024 * 1024, 8388608L)]
    public void EffectiveMaxBodyBytesInFlight_UnsetAShareOfTheHeap(long? configured, long available, long expected) =>
        Assert.Equal(expected, new OverloadOptions { MaxBodyBytesInFlight = configured }.EffectiveMaxBodyBytesInFlight(available));

    [Theory]
    [InlineData(null, 2, 512)]
    [InlineData(null, 16, 4096)]
    [InlineData(0, 16, 0)]
    [InlineData(7, 16, 7)]
    public void EffectiveMaxConcurrentCalls_UnsetSizedForTheMachine(int? configured, int processors, int expected) =>
        Assert.Equal(expected, new OverloadOptions { MaxConcurrentCalls = configured }.EffectiveMaxConcurrentCalls(processors));

    [Fact]
    public async Task EnterAsync_LimitReachedNoQueue_RefusedUntilAPlaceIsFree()
    {
        using var shedder = new LoadShedder(new OverloadOptions { MaxConcurrentCalls = 1, QueueLimit = 0 }, 2, new FakeMetrics());

        using (var held = await shedder.EnterAsync(CancellationToken.None))
        {
            Assert.True(held.IsAcquired);
            using var refused = await shedder.EnterAsync(CancellationToken.None);
            Assert.False(refused.IsAcquired);
        }

        using var again = await shedder.EnterAsync(CancellationToken.None);
        Assert.True(again.IsAcquired);
    }

    [Fact]
    public async Task EnterAsync_LimitOff_AlwaysAdmitted()
    {
        using var shedder = new LoadShedder(new OverloadOptions { MaxConcurrentCalls = 0, QueueLimit = 0 }, 2, new FakeMetrics());

        var leases = new List<System.Threading.RateLimiting.RateLimitLease>();
        for (var i = 0; i < 1000; i++)
        {
            leases.Add(await shedder.EnterAsync(CancellationToken.None));
        }

        Assert.Equal(0, shedder.MaxConcurrentCalls);
        Assert.All(leases, l => Assert.True(l.IsAcquired));
    }
}

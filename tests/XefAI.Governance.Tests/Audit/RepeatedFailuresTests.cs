namespace XefAI.Governance.Tests;

/// <summary>A store that fails every batch (a database down) logs the stack trace once every 30 s, not once a batch.</summary>
public sealed class RepeatedFailuresTests
{
    [Fact]
    public void TakeInFull_FailuresRepeating_FirstAndThenOneEveryInterval()
    {
        var clock = new TickingClock();
        var failures = new RepeatedFailures(clock);

        Assert.True(failures.TakeInFull());
        Assert.False(failures.TakeInFull());
        clock.Advance(RepeatedFailures.Interval - TimeSpan.FromSeconds(1));
        Assert.False(failures.TakeInFull());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(failures.TakeInFull());
        Assert.False(failures.TakeInFull());
    }

    [Fact]
    public void TakeInFull_ManyThreadsAtOnce_OnlyOneGetsTheTrace()
    {
        var failures = new RepeatedFailures(new TickingClock());
        var taken = 0;

        Parallel.For(0, 1000, _ =>
        {
            if (failures.TakeInFull())
            {
                Interlocked.Increment(ref taken);
            }
        });

        Assert.Equal(1, taken);
    }

    private sealed class TickingClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}

using XefAI.Gateway.Pipeline;

namespace XefAI.Gateway.Tests.Pipeline;

public sealed class LogBudgetTests
{
    [Fact]
    public void TryTake_PastTheBudgetInOneSecond_HoldsLinesBackAndReportsTheirCountWithTheNextLineWritten()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var budget = new LogBudget(clock, perSecond: 3);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(budget.TryTake(out var none));
            Assert.Equal(0, none);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.False(budget.TryTake(out _));
        }

        // Still the same second: nothing more.
        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(budget.TryTake(out _));

        // The next second: a line again, and with it the six held back; then the count starts over.
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(budget.TryTake(out var held));
        Assert.Equal(6, held);
        Assert.True(budget.TryTake(out var after));
        Assert.Equal(0, after);
    }

    [Fact]
    public void TryTake_ManyThreadsInOneSecond_WritesExactlyTheBudgetAndCountsTheRest()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var budget = new LogBudget(clock, perSecond: 10);
        var taken = 0;

        Parallel.For(0, 1000, _ =>
        {
            if (budget.TryTake(out _))
            {
                Interlocked.Increment(ref taken);
            }
        });

        Assert.Equal(10, taken);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(budget.TryTake(out var held));
        Assert.Equal(990, held);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}

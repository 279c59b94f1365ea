namespace XefAI.Governance.Tests;

public sealed class AuditRecordIdGeneratorTests
{
    [Fact]
    public void Next_SameMillisecond_IdsStillSortInCallOrder()
    {
        var generator = new AuditRecordIdGenerator(new FixedTimeProvider(AuditEntries.BaseTime));

        var ids = Enumerable.Range(0, 1000).Select(_ => generator.Next()).ToList();

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(1000, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^aud_[0-9A-HJKMNP-TV-Z]{26}$", id));
    }

    [Fact]
    public void Next_EncodesTheMillisecondTimestampFirst()
    {
        var time = new FixedTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_469_918_176_385));
        var generator = new AuditRecordIdGenerator(time);

        var id = generator.Next();

        // encodeTime(1469918176385) in the ULID reference implementation's README.
        Assert.StartsWith("aud_01ARYZ6S41", id, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_ClockStepsBack_StaysMonotonic()
    {
        var time = new FixedTimeProvider(AuditEntries.BaseTime);
        var generator = new AuditRecordIdGenerator(time);
        var before = generator.Next();

        time.Now = AuditEntries.BaseTime.AddSeconds(-30);
        var after = generator.Next();

        Assert.True(string.CompareOrdinal(before, after) < 0);
    }

    [Fact]
    public void Next_EachInANewMillisecond_DrawsAFreshRandomPartEveryTime()
    {
        var time = new FixedTimeProvider(AuditEntries.BaseTime);
        var generator = new AuditRecordIdGenerator(time);

        // More ids than one draw from the CSPRNG covers, so the draw is refilled on the way.
        var randomParts = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            time.Now = AuditEntries.BaseTime.AddMilliseconds(i);
            randomParts.Add(generator.Next()[^16..]);
        }

        Assert.Equal(200, randomParts.Distinct(StringComparer.Ordinal).Count());
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

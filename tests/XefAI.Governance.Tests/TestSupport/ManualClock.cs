namespace XefAI.Governance.Tests;

/// <summary>A clock that shows what the test set; the repository pins no FakeTimeProvider package.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

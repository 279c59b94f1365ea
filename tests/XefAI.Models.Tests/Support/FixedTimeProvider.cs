namespace XefAI.Models.Tests.Support;

/// <summary>A clock that stands still, so completions built twice are byte-for-byte equal.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

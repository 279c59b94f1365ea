using System.Collections.Immutable;

namespace XefAI.Governance.Tests.Audit;

public sealed class AuditEntryGuardTests
{
    private static readonly AuditAttempt First = new("gpt", "openai/primary", "answered", 200, 12.5);

    [Fact]
    public void Prepare_AListTheCallerKeeps_IsCopiedSoALaterChangeDoesNotReachTheRecord()
    {
        var attempts = new List<AuditAttempt> { First };
        var entry = new AuditEntry { Timestamp = DateTimeOffset.UnixEpoch, StatusCode = 200, LatencyMs = 1, TraceId = "t1", Decision = "answered", Attempts = attempts };

        var prepared = AuditEntryGuard.Prepare(entry);
        attempts.Add(First with { Outcome = "vendor_error" });
        attempts[0] = First with { Deployment = "changed" };

        Assert.NotSame(attempts, prepared.Attempts);
        Assert.Equal([First], prepared.Attempts);
    }

    [Fact]
    public void Prepare_AnImmutableArray_IsKeptAsItIsWithoutCopyingTheEntry()
    {
        var entry = new AuditEntry { Timestamp = DateTimeOffset.UnixEpoch, StatusCode = 200, LatencyMs = 1, TraceId = "t1", Decision = "answered", Attempts = ImmutableArray.Create(First) };

        var prepared = AuditEntryGuard.Prepare(entry);

        Assert.Same(entry, prepared);
        Assert.Equal([First], prepared.Attempts);
    }

    [Fact]
    public void Prepare_NegativeZeroLatency_IsCommittedAsZero()
    {
        var entry = new AuditEntry { Timestamp = DateTimeOffset.UnixEpoch, StatusCode = 200, TraceId = "t1", Decision = "answered", LatencyMs = -0.0, Attempts = ImmutableArray.Create(First) };

        var prepared = AuditEntryGuard.Prepare(entry);

        Assert.False(double.IsNegative(prepared.LatencyMs));
        Assert.Equal([First], prepared.Attempts);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

/// <summary>Background verification runs: one at a time, their progress, and what a failed one keeps.</summary>
public sealed class AuditVerificationsTests
{
    [Fact]
    public async Task TryStart_WhileARunIsGoing_ReturnsThatRunThenCompletesWithItsResultAndProgress()
    {
        var trail = new GatedTrail();
        using var verifications = Create(trail);

        Assert.True(verifications.TryStart(AuditVerificationMode.Full, "admin", out var first));
        var request = await trail.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        request.Progress!.Report(new AuditVerificationProgress(5, 10, 1));
        Assert.False(verifications.TryStart(AuditVerificationMode.Incremental, "schedule", out var running));
        Assert.Equal(first.Id, running.Id);
        Assert.Equal(5, verifications.Get(first.Id)!.Progress.Checked);

        trail.Finish.SetResult(new AuditChainVerification(true, 10) { Chains = 2 });
        await WaitAsync(() => verifications.Get(first.Id)!.State != AuditVerificationState.Running);

        var done = verifications.Get(first.Id)!;
        Assert.Equal(AuditVerificationState.Completed, done.State);
        Assert.Equal(10, done.Result!.Records);
        Assert.Equal(AuditVerificationMode.Full, request.Mode);
        Assert.Equal(0.25, request.MaxBusyShare);
        Assert.True(verifications.TryStart(AuditVerificationMode.Incremental, "admin", out var second));
        Assert.Equal([second.Id, first.Id], verifications.Recent.Select(run => run.Id));
    }

    [Fact]
    public async Task Run_StoreFails_IsFailedWithoutTheStoresMessage()
    {
        var trail = new GatedTrail();
        using var verifications = Create(trail);

        Assert.True(verifications.TryStart(AuditVerificationMode.Full, "admin", out var run));
        await trail.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        trail.Finish.SetException(new InvalidOperationException("Host=db.internal;Password=hunter2"));
        await WaitAsync(() => verifications.Get(run.Id)!.State != AuditVerificationState.Running);

        var failed = verifications.Get(run.Id)!;
        Assert.Equal(AuditVerificationState.Failed, failed.State);
        Assert.DoesNotContain("hunter2", failed.Error, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", failed.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 24, 0.1, 0L, "IntervalMinutes")]
    [InlineData(60, -1, 0.1, 0L, "FullIntervalHours")]
    [InlineData(60, 24, 0.0, 0L, "MaxBusyShare")]
    [InlineData(60, 24, 1.5, 0L, "MaxBusyShare")]
    [InlineData(60, 24, 0.1, -1L, "MaxInlineRecords")]
    public void Validate_VerificationOptionsOutOfRange_Fail(int interval, int fullInterval, double share, long inline, string key)
    {
        var options = new AuditOptions { Verification = new AuditVerificationOptions { IntervalMinutes = interval, FullIntervalHours = fullInterval, MaxBusyShare = share, MaxInlineRecords = inline } };

        var result = new AuditOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Audit:Verification:" + key, result.FailureMessage, StringComparison.Ordinal);
    }

    private static AuditVerifications Create(IAuditTrail trail) =>
        new(trail, Options.Create(new AuditOptions { Verification = new AuditVerificationOptions { MaxBusyShare = 0.25 } }), TimeProvider.System, NullLogger<AuditVerifications>.Instance);

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not finish within 30 s");
            await Task.Delay(20);
        }
    }

    // A trail whose verification runs until the test lets it finish.
    private sealed class GatedTrail : IAuditTrail
    {
        public TaskCompletionSource<AuditVerificationRequest> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<AuditChainVerification> Finish { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string StoreKind => "gated";

        public async ValueTask<AuditChainVerification> VerifyAsync(AuditVerificationRequest request, CancellationToken cancellationToken)
        {
            Started.TrySetResult(request);
            return await Finish.Task;
        }

        public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}

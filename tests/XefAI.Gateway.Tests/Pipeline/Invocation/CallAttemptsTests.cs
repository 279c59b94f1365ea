using Microsoft.AspNetCore.Http;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline.Invocation;

namespace XefAI.Gateway.Tests.Pipeline.Invocation;

/// <summary>Which of the two causes cancelled a call's budget: its total timeout, or the client leaving.</summary>
public sealed class CallAttemptsTests
{
    [Fact]
    public async Task TimedOut_TheTimeoutFiresFirstAndTheClientsTokenAfter_StillTimedOut()
    {
        // As a write the budget cancelled: Kestrel then aborts the connection, and the client's token fires too.
        using var client = new CancellationTokenSource();
        using var attempts = Attempts(client.Token, TimeSpan.FromMilliseconds(1));
        await WaitUntilCancelledAsync(attempts.Token);

        await client.CancelAsync();

        Assert.True(attempts.TimedOut);
    }

    [Fact]
    public async Task TimedOut_TheClientLeavesFirst_NotTimedOut()
    {
        using var client = new CancellationTokenSource();
        using var attempts = Attempts(client.Token, TimeSpan.FromMinutes(5));

        await client.CancelAsync();

        Assert.True(attempts.Token.IsCancellationRequested);
        Assert.False(attempts.TimedOut);
    }

    [Fact]
    public void TimedOut_NeitherHappened_NotTimedOut()
    {
        using var client = new CancellationTokenSource();
        using var attempts = Attempts(client.Token, TimeSpan.FromMinutes(5));

        Assert.False(attempts.TimedOut);
    }

    private static CallAttempts Attempts(CancellationToken clientGone, TimeSpan totalTimeout) => new(
        new DefaultHttpContext { RequestAborted = clientGone },
        new ResilienceOptions { TotalTimeout = totalTimeout, AttemptTimeout = totalTimeout },
        "summary",
        "0af7651916cd43dd8448eb211c80319c",
        TimeProvider.System);

    private static async Task WaitUntilCancelledAsync(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.Register(() => cancelled.TrySetResult());
        await cancelled.Task.WaitAsync(TimeSpan.FromMinutes(1));
    }
}

using System.Runtime.CompilerServices;

namespace XefAI.Governance.Tests;

public sealed class OnceInitializerTests
{
    [Fact]
    public async Task EnsureAsync_ManyConcurrentCallers_SetUpRunsOnce()
    {
        using var once = new OnceInitializer();
        var runs = new StrongBox<int>(0);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => once.EnsureAsync(
            static async (counter, _) =>
            {
                Interlocked.Increment(ref counter.Value);
                await Task.Delay(10);
            },
            runs,
            CancellationToken.None).AsTask())));

        Assert.Equal(1, runs.Value);
        Assert.True(once.IsInitialized);
    }

    [Fact]
    public async Task EnsureAsync_SetUpFailed_NextCallerTriesAgain()
    {
        using var once = new OnceInitializer();
        var runs = new StrongBox<int>(0);

        await Assert.ThrowsAsync<IOException>(() => once.EnsureAsync(
            static (counter, _) =>
            {
                counter.Value++;
                throw new IOException("disk full");
            },
            runs,
            CancellationToken.None).AsTask());
        Assert.False(once.IsInitialized);

        await once.EnsureAsync(
            static (counter, _) =>
            {
                counter.Value++;
                return Task.CompletedTask;
            },
            runs,
            CancellationToken.None);

        Assert.Equal(2, runs.Value);
        Assert.True(once.IsInitialized);
    }
}

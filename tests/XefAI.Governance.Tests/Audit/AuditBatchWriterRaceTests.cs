using System.Diagnostics;

namespace XefAI.Governance.Tests;

/// <summary>
/// The watchdog against appends racing it: an append that passed the stalled check just before the watchdog set it,
/// and reached the queue just after the watchdog drained it, would wait on a commit that never returns.
/// </summary>
public sealed class AuditBatchWriterRaceTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AppendAsync_RacingTheWatchdogAsItFires_NoAppendIsLeftWaitingOnTheHungCommit()
    {
        var timeout = TimeSpan.FromMilliseconds(40);
        var rounds = 40;
        var skipped = 0;
        for (var round = 0; round < rounds; round++)
        {
            var commit = new BlockingCommit();
            var writer = new AuditBatchWriter("test", maxBatchSize: 1, commit.CommitAsync, (_, _) => { }, commitTimeout: timeout, maxQueuedRecords: 1_000_000);
            var started = Stopwatch.GetTimestamp();
            var first = writer.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask();

            // On a busy machine the loop may take up the first append after its deadline, and refuse it uncommitted:
            // no hung commit to race, so the round is run again (a bounded number of times).
            if (await Task.WhenAny(commit.Entered.Task, first).WaitAsync(Generous) == first)
            {
                await writer.DisposeAsync();
                Assert.True(++skipped < rounds, $"{skipped} rounds found no hung commit to race: the machine is too busy for this test.");
                round--;
                continue;
            }

            // Appends from two threads from shortly before the deadline until the stall is seen (the watchdog fires half
            // the timeout after the deadline), or a while past it, should the timer be late.
            var spam = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                var mine = new List<Task<AuditRecord>>();
                while (Stopwatch.GetElapsedTime(started) < timeout - TimeSpan.FromMilliseconds(3))
                {
                    Thread.SpinWait(100);
                }

                while (!writer.IsStalled && Stopwatch.GetElapsedTime(started) < timeout * 5)
                {
                    mine.Add(writer.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask());
                }

                return mine;
            })).ToArray();
            var appended = (await Task.WhenAll(spam).WaitAsync(Generous)).SelectMany(t => t).ToArray();

            // Every append was queued before the commit's deadline passed or refused at once after it: the watchdog
            // refuses them all well within this, although the commit never returns.
            try
            {
                await Task.WhenAll(appended).WaitAsync(timeout * 50);
            }
            catch (AuditUnavailableException)
            {
            }
            catch (TimeoutException)
            {
            }

            var stranded = appended.Count(t => !t.IsCompleted);
            commit.Release();
            await writer.DisposeAsync();
            Assert.True(stranded == 0, $"Round {round + 1}: {stranded} of {appended.Length} appends still waited on the hung commit.");
        }
    }
}

using Microsoft.Data.Sqlite;
using XefAI.Gateway.Admin;

namespace XefAI.Gateway.Tests.Admin;

public sealed class StoreRefusalsTests
{
    private static readonly SqliteException Busy = new("SQLite Error 5: 'database is locked'.", 5, 5);

    private static readonly SqliteException Moved = new("The review queue database /var/lib/xefai/governance.db was deleted or replaced.", 8, 1032);

    [Fact]
    public void ReviewQueueRead_HeldCardOrPoll_SaysInTimeOnlyForATimeout()
    {
        var timedOut = StoreRefusals.ReviewQueueRead(Busy);
        var moved = StoreRefusals.ReviewQueueRead(Moved);

        Assert.Equal("The review queue did not answer in time; nothing was read. Retry later.", timedOut.Message);
        Assert.Equal("The review queue could not be read. Retry later.", moved.Message);
        Assert.All([timedOut, moved], refusal =>
        {
            Assert.Equal(503, refusal.StatusCode);
            Assert.Equal("review_queue_unavailable", refusal.Code);
            Assert.Equal(TimeSpan.FromSeconds(1), refusal.RetryAfter);
        });
    }

    [Fact]
    public void Messages_ARefusal_NameNeitherTheCauseNorThePath()
    {
        string[] messages =
        [
            StoreRefusals.ReviewQueueRead(Moved).Message,
            StoreRefusals.ReviewQueueDecision(Moved).Message,
            StoreRefusals.GovernanceStateRead(Moved),
            StoreRefusals.IncidentReport(Moved),
        ];

        Assert.All(messages, message =>
        {
            Assert.DoesNotContain("in time", message, StringComparison.Ordinal);
            Assert.DoesNotContain("/var/lib", message, StringComparison.Ordinal);
            Assert.DoesNotContain("deleted", message, StringComparison.Ordinal);
        });
    }
}

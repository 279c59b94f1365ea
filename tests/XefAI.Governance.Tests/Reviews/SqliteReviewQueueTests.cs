using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using XefAI.Governance.Reviews;

namespace XefAI.Governance.Tests;

/// <summary>
/// The review queue's SQLite file deleted or replaced under a running gateway: a pooled connection still has the old
/// file open, and a held answer (or a decision on it) written there would be gone after a restart.
/// </summary>
[Collection(SqlitePoolCollection.Name)]
public sealed class SqliteReviewQueueTests : IDisposable
{
    private const string Answer = """{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Admit to cardiology."}}]}""";

    private readonly string _folder = GovernanceServices.NewFolder();

    public SqliteReviewQueueTests() => Directory.CreateDirectory(_folder);

    private string DatabasePath => Path.Combine(_folder, "governance.db");

    [Fact]
    public async Task EnqueueAsync_DatabaseDeletedWhileTheGatewayRuns_IsRefusedNotWrittenIntoTheVanishedFile()
    {
        var queue = CreateQueue();
        var held = await queue.EnqueueAsync(Request("aud_1"), CancellationToken.None);
        DeleteDatabase();

        var refused = await Assert.ThrowsAsync<SqliteException>(async () => await queue.EnqueueAsync(Request("aud_2"), CancellationToken.None));

        Assert.Equal(1032, refused.SqliteExtendedErrorCode); // SQLITE_READONLY_DBMOVED
        Assert.Contains("was deleted or replaced while the gateway had it open", refused.Message, StringComparison.Ordinal);

        // Nor does a later operation take the missing file for an empty queue: an unknown review would be a 404, not an outage.
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(async () => await queue.GetAsync(held.Id, CancellationToken.None));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(async () =>
            await queue.DecideAsync(held.Id, new ReviewDecision(ReviewStatus.Approved, "dr.b", null, null), CancellationToken.None));

        // Nor is an empty database made in its place, with the process's default permissions rather than owner-only: a
        // restart would take it as the queue and keep held answers (PHI) in a file others may read.
        Assert.False(File.Exists(DatabasePath), "The queue created a new database where the deleted one was.");
    }

    [Fact]
    public async Task DecideAsync_DatabaseReplacedWhileTheGatewayRuns_IsRefusedThenTheReplacementIsRead()
    {
        var queue = CreateQueue();
        var restored = await queue.EnqueueAsync(Request("aud_1"), CancellationToken.None);
        var backup = Path.Combine(_folder, "backup.db");
        await using (var copy = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await copy.OpenAsync();
            await using var vacuum = copy.CreateCommand();
            vacuum.CommandText = "VACUUM INTO $path";
            vacuum.Parameters.AddWithValue("$path", backup);
            await vacuum.ExecuteNonQueryAsync();
        }

        var lost = await queue.EnqueueAsync(Request("aud_2"), CancellationToken.None);

        // Restored from the backup by a rename over the path, as an operator's restore does.
        DeleteDatabase();
        File.Move(backup, DatabasePath);

        var refused = await Assert.ThrowsAsync<SqliteException>(async () =>
            await queue.DecideAsync(restored.Id, new ReviewDecision(ReviewStatus.Approved, "dr.b", null, null), CancellationToken.None));
        Assert.Equal(1032, refused.SqliteExtendedErrorCode);

        // The pool was cleared: the next operation reads the file now at the path, and the refused decision is not in it.
        Assert.Equal(ReviewStatus.Pending, (await queue.GetAsync(restored.Id, CancellationToken.None))!.Status);
        Assert.Null(await queue.GetAsync(lost.Id, CancellationToken.None));
        var decided = await queue.DecideAsync(restored.Id, new ReviewDecision(ReviewStatus.Approved, "dr.b", null, null), CancellationToken.None);
        Assert.Equal(ReviewStatus.Approved, decided.Status);
    }

    public void Dispose() => GovernanceServices.DeleteFolder(_folder);

    private static ReviewRequest Request(string auditId) => new(auditId, "trace-1", "triage", "test-app", 4, Answer);

    private SqliteReviewQueue CreateQueue() =>
        new(Options.Create(new ReviewOptions { Path = DatabasePath, BusyTimeoutSeconds = 1 }), TimeProvider.System);

    private void DeleteDatabase()
    {
        foreach (var file in Directory.GetFiles(_folder, "governance.db*"))
        {
            File.Delete(file);
        }
    }
}

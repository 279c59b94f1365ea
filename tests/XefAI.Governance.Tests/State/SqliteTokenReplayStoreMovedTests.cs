using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

/// <summary>
/// The token replay table shares the governance database: deleted under a running gateway, its pooled connection would
/// record token ids into a file no other replica reads and no restart finds, so a replayed token would pass there.
/// </summary>
[Collection(SqlitePoolCollection.Name)]
public sealed class SqliteTokenReplayStoreMovedTests : IDisposable
{
    private static readonly DateTimeOffset ForgetAfter = DateTimeOffset.UtcNow.AddMinutes(5);

    private readonly string _folder = GovernanceServices.NewFolder();

    public SqliteTokenReplayStoreMovedTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public async Task TryRecordAsync_DatabaseDeletedWhileTheGatewayRuns_IsRefusedAndNoNewFileIsMade()
    {
        var path = Path.Combine(_folder, "governance.db");
        using var store = new SqliteTokenReplayStore(
            Options.Create(new GovernanceOptions { Sqlite = new GovernanceSqliteOptions { Path = path } }), TimeProvider.System);
        Assert.True(await store.TryRecordAsync("https://ehr.example.org", "jti-1", ForgetAfter, CancellationToken.None));
        foreach (var file in Directory.GetFiles(_folder, "governance.db*"))
        {
            File.Delete(file);
        }

        var refused = await Assert.ThrowsAsync<SqliteException>(async () =>
            await store.TryRecordAsync("https://ehr.example.org", "jti-2", ForgetAfter, CancellationToken.None));
        Assert.Equal(1032, refused.SqliteExtendedErrorCode);

        // The pool cleared, the next attempt finds no file and refuses; it does not start an empty table in a new one.
        await Assert.ThrowsAsync<SqliteException>(async () =>
            await store.TryRecordAsync("https://ehr.example.org", "jti-1", ForgetAfter, CancellationToken.None));
        Assert.False(File.Exists(path), "The store created a new database where the deleted one was.");
    }

    public void Dispose() => GovernanceServices.DeleteFolder(_folder);
}

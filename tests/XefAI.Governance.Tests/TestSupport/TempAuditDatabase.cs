using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

/// <summary>A database file in its own temp folder, deleted with every store opened on it.</summary>
internal sealed class TempAuditDatabase : IAsyncDisposable
{
    private readonly List<SqliteAuditStore> _stores = [];

    public TempAuditDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "xefai-governance-tests", Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(Folder, "nested", "audit.db");
    }

    public string Folder { get; }

    public string FilePath { get; }

    public SqliteAuditStore CreateStore(
        int busyTimeoutSeconds = 5, int maxBatchSize = 256, string? anchorPath = null, ILogger<SqliteAuditStore>? logger = null)
    {
        var options = new AuditOptions
        {
            MaxBatchSize = maxBatchSize,
            Sqlite = new SqliteAuditOptions { Path = FilePath, BusyTimeoutSeconds = busyTimeoutSeconds, AnchorPath = anchorPath },
        };
        var store = new SqliteAuditStore(Options.Create(options), TimeProvider.System, logger ?? NullLogger<SqliteAuditStore>.Instance);
        _stores.Add(store);
        return store;
    }

    /// <summary>A connection of someone else's: not pooled, so it lets go of the file when disposed.</summary>
    public SqliteConnection OpenForeignConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}

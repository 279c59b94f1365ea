using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

public sealed class AuditTrailTests
{
    [Fact]
    public async Task AppendAsync_StoreSelectedByKindIgnoringCase_WritesOnlyThere()
    {
        var postgres = new FakeStore("postgres");
        var sqlite = new FakeStore("sqlite");
        var trail = new AuditTrail([sqlite, postgres], Options.Create(new AuditOptions { Store = "Postgres" }));

        var record = await trail.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        Assert.Equal("postgres", trail.StoreKind);
        Assert.Equal("trace-0001", Assert.Single(postgres.Appended).TraceId);
        Assert.Equal("trace-0001", record.Entry.TraceId);
        Assert.Empty(sqlite.Appended);
        Assert.False(await trail.IsReadyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_StoreUnavailable_PassesTheFailureThrough()
    {
        var failure = new AuditUnavailableException("down");
        var trail = new AuditTrail([new FakeStore("sqlite") { Failure = failure }], Options.Create(new AuditOptions()));

        var thrown = await Assert.ThrowsAsync<AuditUnavailableException>(() => trail.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask());

        Assert.Same(failure, thrown);
    }

    [Fact]
    public void Constructor_UnknownKind_ThrowsNamingTheKnownKinds()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new AuditTrail([new FakeStore("sqlite"), new FakeStore("postgres")], Options.Create(new AuditOptions { Store = "mongo" })));

        Assert.Equal("Audit:Store is 'mongo', but no audit store of that kind exists (registered kinds: sqlite, postgres).", error.Message);
    }

    [Fact]
    public void Constructor_NoStoreRegistered_SaysSo()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new AuditTrail([], Options.Create(new AuditOptions())));

        Assert.Equal("Audit:Store is 'sqlite', but no audit store of that kind exists (none is registered).", error.Message);
    }

    private sealed class FakeStore(string kind) : IAuditStore
    {
        public string Kind { get; } = kind;

        public List<AuditEntry> Appended { get; } = [];

        public Exception? Failure { get; init; }

        public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                return ValueTask.FromException<AuditRecord>(Failure);
            }

            Appended.Add(entry);
            return ValueTask.FromResult(new AuditRecord("aud_x", Appended.Count, entry, AuditChainHasher.GenesisHash, AuditChainHasher.GenesisHash));
        }

        public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        // A distinct answer, so a test can tell the selected store's reply from a default.
        public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Kind != "postgres");
    }
}

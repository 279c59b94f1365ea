using Microsoft.Data.Sqlite;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Tests;

// Its moved-database test needs the store's pooled connection to outlive the deletion; TokenReplayStoreTests clears all pools.
[Collection(SqlitePoolCollection.Name)]
public sealed class SqliteGovernanceStateStoreTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2025, 7, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _folder = GovernanceServices.NewFolder();
    private readonly List<SqliteGovernanceStateStore> _stores = [];

    [Fact]
    public async Task GetVersionAsync_MovesWithStatusChangesAndSuspensionsButNotIncidents()
    {
        var store = CreateStore();
        var start = await store.GetVersionAsync(CancellationToken.None);

        await store.AppendIncidentAsync(Incident("inc_1"), CancellationToken.None);
        Assert.Equal(start, await store.GetVersionAsync(CancellationToken.None));

        await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None);
        var afterUseCase = await store.GetVersionAsync(CancellationToken.None);
        Assert.NotEqual(start, afterUseCase);

        await store.TryAppendDeploymentChangeAsync(new DeploymentSuspensionChange("dep_1", "gpt", true, "a", "r", Time), null, CancellationToken.None);
        Assert.NotEqual(afterUseCase, await store.GetVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LoadAsync_SeveralChanges_ReturnsTheLatestOfEachWithItsVersion()
    {
        var store = CreateStore();
        var first = Assert.IsType<UseCaseStatusChange>(
            await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None));
        var second = Assert.IsType<UseCaseStatusChange>(
            await store.TryAppendUseCaseChangeAsync(Change("ucs_2", "triage", UseCaseStatus.Suspended, UseCaseStatus.Active), "ucs_1", CancellationToken.None));
        var other = Assert.IsType<UseCaseStatusChange>(
            await store.TryAppendUseCaseChangeAsync(Change("ucs_3", "inbox", UseCaseStatus.Active, UseCaseStatus.Retired), null, CancellationToken.None));
        var deployment = Assert.IsType<DeploymentSuspensionChange>(
            await store.TryAppendDeploymentChangeAsync(new DeploymentSuspensionChange("dep_1", "gpt", true, "a", "r", Time), null, CancellationToken.None));

        var snapshot = await store.LoadAsync(CancellationToken.None);

        Assert.Equal([second, other], snapshot.UseCases);
        Assert.Equal([deployment], snapshot.Deployments);
        Assert.Equal(await store.GetVersionAsync(CancellationToken.None), snapshot.Version);
        Assert.Equal([first, second], await store.GetUseCaseHistoryAsync("triage", CancellationToken.None));
        Assert.Equal(1, first.Sequence);
        Assert.Equal(2, second.Sequence);
    }

    [Fact]
    public async Task TryAppendAsync_LatestIsNotTheExpectedOne_AppendsNothing()
    {
        var store = CreateStore();
        await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None);

        Assert.Null(await store.TryAppendUseCaseChangeAsync(Change("ucs_2", "triage", UseCaseStatus.Active, UseCaseStatus.Retired), null, CancellationToken.None));
        Assert.Null(await store.TryAppendUseCaseChangeAsync(Change("ucs_3", "triage", UseCaseStatus.Active, UseCaseStatus.Retired), "ucs_0", CancellationToken.None));
        await store.TryAppendDeploymentChangeAsync(new DeploymentSuspensionChange("dep_1", "gpt", true, "a", "r", Time), null, CancellationToken.None);
        Assert.Null(await store.TryAppendDeploymentChangeAsync(new DeploymentSuspensionChange("dep_2", "gpt", false, "a", "r", Time), null, CancellationToken.None));

        Assert.Single(await store.GetUseCaseHistoryAsync("triage", CancellationToken.None));
        Assert.Single(await store.GetDeploymentHistoryAsync("gpt", CancellationToken.None));
    }

    [Theory]
    [InlineData("UPDATE use_case_status_changes SET reason = 'rewritten'")]
    [InlineData("DELETE FROM use_case_status_changes")]
    [InlineData("UPDATE deployment_suspensions SET suspended = 0")]
    [InlineData("DELETE FROM deployment_suspensions")]
    [InlineData("UPDATE incidents SET description = 'nothing happened'")]
    [InlineData("DELETE FROM incidents")]
    public async Task Tables_UpdateOrDelete_AreRefused(string sql)
    {
        var store = CreateStore();
        await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None);
        await store.TryAppendDeploymentChangeAsync(new DeploymentSuspensionChange("dep_1", "gpt", true, "a", "r", Time), null, CancellationToken.None);
        await store.AppendIncidentAsync(Incident("inc_1"), CancellationToken.None);

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store.DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;

        var error = Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryIncidentsAsync_Filters_ReturnsNewestFirstWithinTheLimit()
    {
        var store = CreateStore();
        await store.AppendIncidentAsync(Incident("inc_1", "triage", Time.AddHours(-30)), CancellationToken.None);
        await store.AppendIncidentAsync(Incident("inc_2", "triage", Time.AddHours(-2)), CancellationToken.None);
        await store.AppendIncidentAsync(Incident("inc_3", "inbox", Time.AddHours(-1)), CancellationToken.None);
        var stored = await store.AppendIncidentAsync(Incident("inc_4", "triage", Time), CancellationToken.None);

        Assert.Equal(["inc_4", "inc_2"], (await store.QueryIncidentsAsync(new("triage", Time.AddHours(-24)), CancellationToken.None)).Select(i => i.Id));
        Assert.Equal(["inc_4", "inc_3"], (await store.QueryIncidentsAsync(new(Limit: 2), CancellationToken.None)).Select(i => i.Id));
        Assert.Equal(stored, Assert.Single(await store.QueryIncidentsAsync(new("triage", Time), CancellationToken.None)));
        Assert.Equal(4, stored.Sequence);
        Assert.Equal(IncidentSeverity.High, stored.Severity);
    }

    [Fact]
    public async Task Open_FileFromBeforeRiskTiers_AddsTheColumnKeepsTheRowsWithoutTierAndRecordsTiersFromNowOn()
    {
        // The use-case table as the first release created it, with a sponsor's approval and an activation on record.
        var path = Path.Combine(_folder, "governance.db");
        Directory.CreateDirectory(_folder);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE use_case_status_changes (
                    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, use_case_id TEXT NOT NULL, action TEXT NOT NULL,
                    from_status TEXT NOT NULL, to_status TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,
                    clinical_sponsor TEXT, time TEXT NOT NULL
                ) STRICT;
                INSERT INTO use_case_status_changes (id, use_case_id, action, from_status, to_status, actor, reason, clinical_sponsor, time)
                VALUES ('ucs_1', 'triage', 'approve', 'proposed', 'approved', 'a.admin', 'Committee', 'Dr. B. Osei', '2025-07-01T12:00:00.0000000Z'),
                       ('ucs_2', 'triage', 'activate', 'approved', 'active', 'a.admin', 'Go live', NULL, '2025-07-01T12:00:00.0000000Z');
                """;
            command.ExecuteNonQuery();
        }

        var store = CreateStore();
        var old = await store.GetUseCaseHistoryAsync("triage", CancellationToken.None);
        var stored = await store.TryAppendUseCaseChangeAsync(
            Change("ucs_3", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended) with { RiskTier = RiskTier.ClinicalDecisionSupport }, "ucs_2", CancellationToken.None);
        var snapshot = await store.LoadAsync(CancellationToken.None);

        Assert.Equal(["ucs_1", "ucs_2"], old.Select(c => c.Id));
        Assert.All(old, c => Assert.Null(c.RiskTier));
        Assert.Equal(RiskTier.ClinicalDecisionSupport, stored!.RiskTier);
        Assert.Equal(stored, Assert.Single(snapshot.UseCases));
        Assert.Equal(old[0], Assert.Single(snapshot.SponsorApprovals));

        // A second store on the upgraded file finds nothing to add.
        Assert.Equal(stored, Assert.Single((await CreateStore().LoadAsync(CancellationToken.None)).UseCases));
        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        check.Open();
        using var columns = check.CreateCommand();
        columns.CommandText = "SELECT type FROM pragma_table_info('use_case_status_changes') WHERE name = 'risk_tier'";
        Assert.Equal("INTEGER", columns.ExecuteScalar());
    }

    [Fact]
    public async Task LoadAsync_Approvals_ReturnsEveryApprovalNamingASponsorWithItsTier()
    {
        var store = CreateStore();
        var first = await store.TryAppendUseCaseChangeAsync(
            Approval("ucs_1", "triage", UseCaseStatus.Proposed, "Dr. B. Osei") with { RiskTier = RiskTier.ClinicalDecisionSupport }, null, CancellationToken.None);
        await store.TryAppendUseCaseChangeAsync(Approval("ucs_2", "inbox", UseCaseStatus.Proposed, sponsor: null), null, CancellationToken.None);
        var second = await store.TryAppendUseCaseChangeAsync(Approval("ucs_3", "triage", UseCaseStatus.Approved, "Dr. C. Next"), "ucs_1", CancellationToken.None);
        await store.TryAppendUseCaseChangeAsync(Change("ucs_4", "triage", UseCaseStatus.Approved, UseCaseStatus.Suspended), "ucs_3", CancellationToken.None);

        var snapshot = await store.LoadAsync(CancellationToken.None);

        Assert.Equal([first!, second!], snapshot.SponsorApprovals);
        Assert.Equal(RiskTier.ClinicalDecisionSupport, snapshot.SponsorApprovals[0].RiskTier);
        Assert.Null(snapshot.SponsorApprovals[1].RiskTier);
    }

    [Fact]
    public async Task TryAppendAsync_DatabaseDeletedWhileTheGatewayRuns_IsRefusedNotWrittenIntoTheVanishedFile()
    {
        // A pooled connection keeps the deleted file open: a kill switch written there would come undone on restart.
        var store = CreateStore();
        await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(store.DatabasePath)!, Path.GetFileName(store.DatabasePath) + "*"))
        {
            File.Delete(file);
        }

        var refused = await Assert.ThrowsAsync<SqliteException>(async () =>
            await store.TryAppendUseCaseChangeAsync(Change("ucs_2", "triage", UseCaseStatus.Suspended, UseCaseStatus.Active), "ucs_1", CancellationToken.None));

        Assert.Equal(1032, refused.SqliteExtendedErrorCode);
        Assert.Contains("was deleted or replaced while the gateway had it open", refused.Message, StringComparison.Ordinal);

        // The pool cleared, the next read finds no file and says so; it does not make an empty, world-readable one there
        // that a restart would take as the state store (the kill switch undone, as if never thrown).
        await Assert.ThrowsAsync<SqliteException>(async () => await store.LoadAsync(CancellationToken.None));
        Assert.False(File.Exists(store.DatabasePath), "The store created a new database where the deleted one was.");
    }

    [Fact]
    public async Task LoadAsync_FirstUse_LogsOnceWhereTheStateIsKept()
    {
        // A user who starts the gateway learns from its first log lines where the governance state goes.
        var options = Options.Create(new GovernanceOptions { Sqlite = new GovernanceSqliteOptions { Path = "data/governance.db" } });
        var logger = new FakeLogger<SqliteGovernanceStateStore>();
        var store = new SqliteGovernanceStateStore(options, new ContentRoot(_folder), logger);
        _stores.Add(store);

        await store.LoadAsync(CancellationToken.None);
        await store.GetVersionAsync(CancellationToken.None);

        var opened = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Information, opened.Level);
        Assert.Contains(Path.Combine(_folder, "data", "governance.db"), opened.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RelativePath_ResolvesAgainstTheContentRoot()
    {
        var options = Options.Create(new GovernanceOptions { Sqlite = new GovernanceSqliteOptions { Path = "data/governance.db" } });

        using var store = new SqliteGovernanceStateStore(options, new ContentRoot(_folder));

        Assert.Equal(Path.Combine(_folder, "data", "governance.db"), store.DatabasePath);
        Assert.Equal("sqlite", store.Kind);
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        GovernanceServices.DeleteFolder(_folder);
    }

    private static UseCaseStatusChange Change(string id, string useCase, UseCaseStatus from, UseCaseStatus to) =>
        new(id, useCase, UseCaseAction.Suspend, from, to, "a.admin", "Because", Time, "Dr. B. Osei");

    private static UseCaseStatusChange Approval(string id, string useCase, UseCaseStatus from, string? sponsor) =>
        new(id, useCase, UseCaseAction.Approve, from, UseCaseStatus.Approved, "a.admin", "Committee", Time, sponsor);

    private static Incident Incident(string id, string useCase = "triage", DateTimeOffset? time = null) =>
        new(id, "aud_01", useCase, "nurse.j", "Score contradicted the chart.", IncidentSeverity.High, time ?? Time);

    private SqliteGovernanceStateStore CreateStore()
    {
        var options = Options.Create(new GovernanceOptions { Sqlite = new GovernanceSqliteOptions { Path = Path.Combine(_folder, "governance.db") } });
        var store = new SqliteGovernanceStateStore(options);
        _stores.Add(store);
        return store;
    }

    private sealed class ContentRoot(string path) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "XefAI.Governance.Tests";

        public string ContentRootPath { get; set; } = path;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

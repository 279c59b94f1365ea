using System.Diagnostics;
using Npgsql;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The PostgreSQL governance state store against a real server: the SQLite store's behaviour, and several
/// processes writing at once. Each test has an empty schema of the class's database.
/// </summary>
public sealed class PostgresGovernanceStateStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Time = new(2025, 7, 1, 12, 0, 0, TimeSpan.Zero);

    [PostgresFact]
    public async Task GetVersionAsync_MovesWithStatusChangesAndSuspensionsButNotIncidents()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var start = await store.GetVersionAsync(CancellationToken.None);

        await store.AppendIncidentAsync(Incident("inc_1"), CancellationToken.None);
        Assert.Equal(start, await store.GetVersionAsync(CancellationToken.None));

        await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None);
        var afterUseCase = await store.GetVersionAsync(CancellationToken.None);
        Assert.NotEqual(start, afterUseCase);

        await store.TryAppendDeploymentChangeAsync(Suspension("dep_1", "gpt", true), null, CancellationToken.None);
        Assert.NotEqual(afterUseCase, await store.GetVersionAsync(CancellationToken.None));
        Assert.Equal(0, start);
    }

    [PostgresFact]
    public async Task LoadAsync_SeveralChanges_ReturnsTheLatestOfEachWithItsVersion()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var first = Assert.IsType<UseCaseStatusChange>(
            await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None));
        var second = Assert.IsType<UseCaseStatusChange>(
            await store.TryAppendUseCaseChangeAsync(Change("ucs_2", "triage", UseCaseStatus.Suspended, UseCaseStatus.Active), "ucs_1", CancellationToken.None));
        var other = Assert.IsType<UseCaseStatusChange>(
            await store.TryAppendUseCaseChangeAsync(Change("ucs_3", "inbox", UseCaseStatus.Active, UseCaseStatus.Retired), null, CancellationToken.None));
        var deployment = Assert.IsType<DeploymentSuspensionChange>(
            await store.TryAppendDeploymentChangeAsync(Suspension("dep_1", "gpt", true), null, CancellationToken.None));

        var snapshot = await store.LoadAsync(CancellationToken.None);

        Assert.Equal([second, other], snapshot.UseCases);
        Assert.Equal([deployment], snapshot.Deployments);
        Assert.Equal(await store.GetVersionAsync(CancellationToken.None), snapshot.Version);
        Assert.Equal([first, second], await store.GetUseCaseHistoryAsync("triage", CancellationToken.None));
        Assert.Equal([deployment], await store.GetDeploymentHistoryAsync("gpt", CancellationToken.None));

        // Use-case changes and suspensions share one sequence, the version each made.
        Assert.Equal([1L, 2L, 3L, 4L], new[] { first.Sequence, second.Sequence, other.Sequence, deployment.Sequence });
        Assert.Equal(4, snapshot.Version);
    }

    [PostgresFact]
    public async Task TryAppendAsync_ChangeWithAwkwardFields_ReadsBackEqual()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore();

        // Not UTC and sub-microsecond (timestamptz would drop it); no sponsor; text outside ASCII.
        var time = new DateTimeOffset(2025, 3, 14, 10, 26, 53, TimeSpan.FromHours(1)).AddTicks(5_891_234);
        var change = new UseCaseStatusChange("ucs_1", "triage", UseCaseAction.Retire, UseCaseStatus.Active, UseCaseStatus.Retired, "ä.admin", "Ersetzt – «summary»", time);
        var resumed = new DeploymentSuspensionChange("dep_1", "gpt", false, "a", "Vendor back", time);

        var stored = await store.TryAppendUseCaseChangeAsync(change, null, CancellationToken.None);
        var storedResume = await store.TryAppendDeploymentChangeAsync(resumed, null, CancellationToken.None);
        var snapshot = await store.LoadAsync(CancellationToken.None);

        Assert.Equal(change with { Sequence = 1 }, stored);
        Assert.Equal(stored, Assert.Single(snapshot.UseCases));
        Assert.Equal(storedResume, Assert.Single(snapshot.Deployments));
        Assert.Equal(time.UtcTicks, snapshot.UseCases[0].Time.UtcTicks);
        Assert.Null(snapshot.UseCases[0].ClinicalSponsor);
        Assert.False(snapshot.Deployments[0].Suspended);
        Assert.Equal("2025-03-14T09:26:53.5891234Z", await schema.ScalarAsync("SELECT \"time\" FROM use_case_status_changes"));
    }

    [PostgresFact]
    public async Task TryAppendAsync_LatestIsNotTheExpectedOne_AppendsNothingAndKeepsTheVersion()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None);
        await store.TryAppendDeploymentChangeAsync(Suspension("dep_1", "gpt", true), null, CancellationToken.None);

        Assert.Null(await store.TryAppendUseCaseChangeAsync(Change("ucs_2", "triage", UseCaseStatus.Active, UseCaseStatus.Retired), null, CancellationToken.None));
        Assert.Null(await store.TryAppendUseCaseChangeAsync(Change("ucs_3", "triage", UseCaseStatus.Active, UseCaseStatus.Retired), "ucs_0", CancellationToken.None));
        Assert.Null(await store.TryAppendDeploymentChangeAsync(Suspension("dep_2", "gpt", false), null, CancellationToken.None));

        Assert.Single(await store.GetUseCaseHistoryAsync("triage", CancellationToken.None));
        Assert.Single(await store.GetDeploymentHistoryAsync("gpt", CancellationToken.None));
        Assert.Equal(2, await store.GetVersionAsync(CancellationToken.None));

        // The refused appends left no gap: the next change takes the next version.
        var next = await store.TryAppendUseCaseChangeAsync(Change("ucs_4", "triage", UseCaseStatus.Suspended, UseCaseStatus.Active), "ucs_1", CancellationToken.None);
        Assert.Equal(3, next!.Sequence);
    }

    [PostgresFact]
    public async Task TryAppendUseCaseChangeAsync_FourReplicasRacingFromTheSameStatus_ExactlyOneAppends()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var replicas = Enumerable.Range(0, 4).Select(_ => schema.CreateStore()).ToList();
        await Task.WhenAll(replicas.Select(r => r.GetVersionAsync(CancellationToken.None).AsTask()));

        for (var round = 0; round < 5; round++)
        {
            var useCase = $"case-{round}";
            var deployment = $"deployment-{round}";
            var attempts = await Task.WhenAll(replicas.SelectMany((replica, i) => new[]
            {
                Task.Run(async () => (object?)await replica.TryAppendUseCaseChangeAsync(
                    Change($"ucs_{round}_{i}", useCase, UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None)),
                Task.Run(async () => (object?)await replica.TryAppendDeploymentChangeAsync(
                    Suspension($"dep_{round}_{i}", deployment, true), null, CancellationToken.None)),
            }));

            Assert.Single(attempts.OfType<UseCaseStatusChange>());
            Assert.Single(attempts.OfType<DeploymentSuspensionChange>());
            Assert.Single(await replicas[0].GetUseCaseHistoryAsync(useCase, CancellationToken.None));
            Assert.Single(await replicas[0].GetDeploymentHistoryAsync(deployment, CancellationToken.None));
        }

        Assert.Equal(10, await replicas[3].GetVersionAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task TryAppendAsync_ManyReplicasChangingDifferentUseCases_VersionsAreGapFreeInCommitOrder()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var replicas = Enumerable.Range(0, 4).Select(_ => schema.CreateStore()).ToList();

        var stored = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
            (await replicas[i % 4].TryAppendUseCaseChangeAsync(
                Change($"ucs_{i}", $"case-{i}", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None))!)));

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), stored.Select(c => c.Sequence).Order());
        var snapshot = await replicas[1].LoadAsync(CancellationToken.None);
        Assert.Equal(40, snapshot.Version);
        Assert.Equal(stored.OrderBy(c => c.Sequence), snapshot.UseCases);
    }

    [PostgresFact]
    public async Task Reads_AnotherWriterHoldsTheVersionRow_DoNotWaitAndWritersTimeOutThenRecover()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore(commandTimeoutSeconds: 1);
        await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None);

        await using (var stuck = new NpgsqlConnection(schema.ConnectionString))
        {
            await stuck.OpenAsync();
            await using var transaction = await stuck.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand(PostgresGovernanceStateSchema.NextVersion, stuck, transaction))
            {
                await hold.ExecuteNonQueryAsync();
            }

            // The poll and the load read the last committed version without waiting for the writer.
            Assert.Equal(1, await store.GetVersionAsync(CancellationToken.None));
            Assert.Equal(1, (await store.LoadAsync(CancellationToken.None)).Version);

            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => store.TryAppendDeploymentChangeAsync(
                Suspension("dep_1", "gpt", true), null, CancellationToken.None).AsTask());

            // Generous bounds, not a timing: unbounded, the writer waits as long as the lock is held.
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3));
        }

        var next = await store.TryAppendDeploymentChangeAsync(Suspension("dep_2", "gpt", true), null, CancellationToken.None);
        Assert.Equal(2, next!.Sequence);
        Assert.Equal(["dep_2"], (await store.GetDeploymentHistoryAsync("gpt", CancellationToken.None)).Select(c => c.Id));
    }

    [PostgresFact]
    public async Task AppendIncidentAsync_TableLockedByAStalledSession_FailsWithinTheTimeoutThenRecovers()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore(commandTimeoutSeconds: 1);
        await store.AppendIncidentAsync(Incident("inc_1"), CancellationToken.None);

        await using (var stalled = await schema.OpenForeignConnectionAsync())
        {
            await using var transaction = await stalled.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand("LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE", stalled, transaction))
            {
                await hold.ExecuteNonQueryAsync();
            }

            var clock = Stopwatch.StartNew();
            var failure = await Assert.ThrowsAnyAsync<NpgsqlException>(() => store.AppendIncidentAsync(Incident("inc_2"), CancellationToken.None).AsTask());
            // lock_timeout, statement_timeout and the client's Command Timeout are equal: whichever fires first ends the
            // wait; on a loaded machine the client's own timer can come first.
            if (failure is PostgresException server)
            {
                Assert.Contains(server.SqlState, new[] { PostgresErrorCodes.LockNotAvailable, PostgresErrorCodes.QueryCanceled });
            }
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => store.QueryIncidentsAsync(new IncidentQuery(null), CancellationToken.None).AsTask());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"Two statements against a 1 s timeout took {clock.Elapsed}.");
        }

        await store.AppendIncidentAsync(Incident("inc_3"), CancellationToken.None);
        Assert.Equal(["inc_3", "inc_1"], (await store.QueryIncidentsAsync(new IncidentQuery(null), CancellationToken.None)).Select(i => i.Id));
    }

    [PostgresFact]
    public async Task CreateDataSource_ConnectionStringSetsItsOwnTimeouts_TheConfiguredOnesWin()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var builder = new NpgsqlConnectionStringBuilder(schema.ConnectionString)
        {
            Options = "-c lock_timeout=0 -c statement_timeout=0 -c idle_in_transaction_session_timeout=0",
            CommandTimeout = 30,
        };
        await using var dataSource = PostgresGovernanceStateSchema.CreateDataSource(
            new GovernancePostgresOptions { ConnectionString = builder.ConnectionString, CommandTimeoutSeconds = 7 }, "test");
        await using var connection = await dataSource.OpenConnectionAsync();

        foreach (var setting in new[] { "lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout" })
        {
            await using var show = new NpgsqlCommand("SHOW " + setting, connection);
            Assert.Equal("7s", await show.ExecuteScalarAsync());
        }

        Assert.Equal(7, connection.CommandTimeout);
    }

    [PostgresTheory]
    [InlineData("UPDATE use_case_status_changes SET reason = 'rewritten'", "use_case_status_changes is append-only")]
    [InlineData("DELETE FROM use_case_status_changes", "use_case_status_changes is append-only")]
    [InlineData("TRUNCATE use_case_status_changes", "use_case_status_changes is append-only")]
    [InlineData("UPDATE deployment_suspensions SET suspended = false", "deployment_suspensions is append-only")]
    [InlineData("DELETE FROM deployment_suspensions", "deployment_suspensions is append-only")]
    [InlineData("TRUNCATE deployment_suspensions", "deployment_suspensions is append-only")]
    [InlineData("UPDATE incidents SET description = 'nothing happened'", "incidents is append-only")]
    [InlineData("DELETE FROM incidents", "incidents is append-only")]
    [InlineData("TRUNCATE incidents", "incidents is append-only")]
    [InlineData("UPDATE governance_state_version SET version = 0", "governance_state_version only moves forward")]
    [InlineData("DELETE FROM governance_state_version", "governance_state_version only moves forward")]
    [InlineData("TRUNCATE governance_state_version", "governance_state_version only moves forward")]
    public async Task Tables_RewritingHistory_IsRefused(string sql, string message)
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await store.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None);
        await store.TryAppendDeploymentChangeAsync(Suspension("dep_1", "gpt", true), null, CancellationToken.None);
        await store.AppendIncidentAsync(Incident("inc_1"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<PostgresException>(() => schema.ExecuteAsync(sql));

        Assert.Equal(message, error.MessageText);
        Assert.Equal(2, await store.GetVersionAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task QueryIncidentsAsync_Filters_ReturnsNewestFirstWithinTheLimit()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore();
        await store.AppendIncidentAsync(Incident("inc_1", "triage", Time.AddHours(-30)), CancellationToken.None);
        await store.AppendIncidentAsync(Incident("inc_2", "triage", Time.AddHours(-2)), CancellationToken.None);
        await store.AppendIncidentAsync(Incident("inc_3", "inbox", Time.AddHours(-1)), CancellationToken.None);
        var stored = await store.AppendIncidentAsync(Incident("inc_4", "triage", Time), CancellationToken.None);

        Assert.Equal(["inc_4", "inc_2"], (await store.QueryIncidentsAsync(new("triage", Time.AddHours(-24)), CancellationToken.None)).Select(i => i.Id));
        Assert.Equal(["inc_4", "inc_3"], (await store.QueryIncidentsAsync(new(Limit: 2), CancellationToken.None)).Select(i => i.Id));
        Assert.Equal(stored, Assert.Single(await store.QueryIncidentsAsync(new("triage", Time), CancellationToken.None)));
        Assert.Equal(4, stored.Sequence);
        Assert.Equal(IncidentSeverity.High, stored.Severity);
        Assert.Null((await store.AppendIncidentAsync(Incident("inc_5") with { AuditId = null }, CancellationToken.None)).AuditId);
    }

    [PostgresFact]
    public async Task TryAppendAsync_ReasonWithNulCharacter_RefusedByNameAndNothingChanges()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.TryAppendUseCaseChangeAsync(
            Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended) with { Reason = "stop\0now" }, null, CancellationToken.None).AsTask());

        Assert.Contains("Reason contains a NUL character", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await store.GetVersionAsync(CancellationToken.None));
        Assert.Empty(await store.GetUseCaseHistoryAsync("triage", CancellationToken.None));
    }

    [PostgresFact]
    public async Task FirstUse_SeveralProcessesStartingTogether_CreateTheSchemaOnceWithoutColliding()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var stores = Enumerable.Range(0, 4).Select(_ => schema.CreateStore()).ToList();
        var queues = Enumerable.Range(0, 2).Select(_ => schema.CreateReviewQueue()).ToList();

        var versions = await Task.WhenAll(stores.Select(store => Task.Run(() => store.GetVersionAsync(CancellationToken.None).AsTask()))
            .Concat(queues.Select(queue => Task.Run(async () => (long)(await queue.ListAsync(null, 10, CancellationToken.None)).Count))));

        Assert.All(versions, version => Assert.Equal(0, version));
        Assert.Equal(1L, await schema.ScalarAsync("SELECT count(*) FROM governance_state_version"));
    }

    [PostgresFact]
    public async Task FirstUse_SchemaCreatedAheadByADba_StartsOnItAndKeepsItsHistory()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        await schema.ExecuteAsync(PostgresGovernanceStateSchema.Create);
        await schema.ExecuteAsync(PostgresGovernanceStateSchema.SeedVersion);
        var before = schema.CreateStore();
        var change = await before.TryAppendUseCaseChangeAsync(Change("ucs_1", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended), null, CancellationToken.None);

        var after = schema.CreateStore();

        Assert.Equal([change!], (await after.LoadAsync(CancellationToken.None)).UseCases);
        Assert.Equal(1, await after.GetVersionAsync(CancellationToken.None));

        // The check a start-up makes before deciding it needs no DDL.
        Assert.Equal(true, await schema.ScalarAsync(PostgresGovernanceStateSchema.IsComplete));
    }

    [PostgresFact]
    public async Task FirstUse_TableFromBeforeRiskTiers_AddsTheColumnAndOldRowsReadWithoutTier()
    {
        // The use-case table as the first release created it, with a sponsor's approval and an activation on record.
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        await schema.ExecuteAsync("""
            CREATE TABLE use_case_status_changes (
                seq bigint PRIMARY KEY, id text NOT NULL UNIQUE, use_case_id text NOT NULL, action text NOT NULL,
                from_status text NOT NULL, to_status text NOT NULL, actor text NOT NULL, reason text NOT NULL,
                clinical_sponsor text, "time" text COLLATE "C" NOT NULL);
            INSERT INTO use_case_status_changes VALUES
                (1, 'ucs_1', 'triage', 'approve', 'proposed', 'approved', 'a.admin', 'Committee', 'Dr. B. Osei', '2025-07-01T12:00:00.0000000Z'),
                (2, 'ucs_2', 'triage', 'activate', 'approved', 'active', 'a.admin', 'Go live', NULL, '2025-07-01T12:00:00.0000000Z');
            """);
        var store = schema.CreateStore();

        var before = await store.LoadAsync(CancellationToken.None);
        var stored = await store.TryAppendUseCaseChangeAsync(
            Change("ucs_3", "triage", UseCaseStatus.Active, UseCaseStatus.Suspended) with { RiskTier = RiskTier.ClinicalDecisionSupport }, "ucs_2", CancellationToken.None);
        var after = await schema.CreateStore().LoadAsync(CancellationToken.None);

        Assert.Equal("ucs_2", Assert.Single(before.UseCases).Id);
        Assert.Null(before.UseCases[0].RiskTier);
        Assert.Equal("ucs_1", Assert.Single(before.SponsorApprovals).Id);
        Assert.Null(before.SponsorApprovals[0].RiskTier);
        Assert.Equal(3, stored!.Sequence);
        Assert.Equal([stored], after.UseCases);
        Assert.Equal(RiskTier.ClinicalDecisionSupport, after.UseCases[0].RiskTier);
        Assert.Equal(
            "integer",
            await schema.ScalarAsync(
                "SELECT data_type FROM information_schema.columns " +
                "WHERE table_schema = current_schema() AND table_name = 'use_case_status_changes' AND column_name = 'risk_tier'"));
        Assert.Equal(true, await schema.ScalarAsync(PostgresGovernanceStateSchema.IsComplete));
    }

    [PostgresFact]
    public async Task IsComplete_RiskTierColumnMissing_IsFalseSoStartUpUpgrades()
    {
        // A schema a DBA created from an earlier release's script: the start-up must not take it as complete.
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        await schema.ExecuteAsync(PostgresGovernanceStateSchema.Create);
        await schema.ExecuteAsync("ALTER TABLE use_case_status_changes DROP COLUMN risk_tier");

        Assert.Equal(false, await schema.ScalarAsync(PostgresGovernanceStateSchema.IsComplete));
    }

    [PostgresFact]
    public async Task LoadAsync_Approvals_ReturnsEveryApprovalNamingASponsorWithItsTier()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var approval = new UseCaseStatusChange("ucs_1", "triage", UseCaseAction.Approve, UseCaseStatus.Proposed, UseCaseStatus.Approved, "a.admin", "Committee", Time, "Dr. B. Osei")
        {
            RiskTier = RiskTier.ClinicalDecisionSupport,
        };
        var first = await store.TryAppendUseCaseChangeAsync(approval, null, CancellationToken.None);
        await store.TryAppendUseCaseChangeAsync(approval with { Id = "ucs_2", UseCaseId = "inbox", ClinicalSponsor = null }, null, CancellationToken.None);
        await store.TryAppendUseCaseChangeAsync(Change("ucs_3", "triage", UseCaseStatus.Approved, UseCaseStatus.Suspended), "ucs_1", CancellationToken.None);

        var snapshot = await store.LoadAsync(CancellationToken.None);

        Assert.Equal([first!], snapshot.SponsorApprovals);
        Assert.Equal(RiskTier.ClinicalDecisionSupport, snapshot.SponsorApprovals[0].RiskTier);
        Assert.Equal(["inbox", "triage"], snapshot.UseCases.Select(c => c.UseCaseId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Calls_NoConnectionString_FailNamingTheSettingButConstructionDoesNot()
    {
        await using var store = new PostgresGovernanceStateStore(Microsoft.Extensions.Options.Options.Create(new GovernanceOptions()));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetVersionAsync(CancellationToken.None).AsTask());

        Assert.Equal("postgres", store.Kind);
        Assert.Contains("Governance:Postgres:ConnectionString is not set", error.Message, StringComparison.Ordinal);
    }

    private static UseCaseStatusChange Change(string id, string useCase, UseCaseStatus from, UseCaseStatus to) =>
        new(id, useCase, UseCaseAction.Suspend, from, to, "a.admin", "Because", Time, "Dr. B. Osei");

    private static DeploymentSuspensionChange Suspension(string id, string deployment, bool suspended) =>
        new(id, deployment, suspended, "a", "r", Time);

    private static Incident Incident(string id, string useCase = "triage", DateTimeOffset? time = null) =>
        new(id, "aud_01", useCase, "nurse.j", "Score contradicted the chart.", IncidentSeverity.High, time ?? Time);
}

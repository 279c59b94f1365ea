using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The PostgreSQL store under the roles of <c>deploy/postgres/roles.sql</c> and <c>grants.sql</c>, as the README sets
/// them up: migrations as the owner role, calls as a gateway role that can append and read the trail but not change,
/// delete, truncate or alter it.
/// </summary>
public sealed class PostgresAuditLeastPrivilegeTests
{
    // What someone holding the gateway role's password might try; each must fail on privilege (42501), before any
    // trigger is reached.
    public static readonly TheoryData<string> Tampering = new()
    {
        "UPDATE audit_records SET decision = 'forged'",
        "UPDATE audit_records SET output_text = 'forged' WHERE chain_seq = 1",
        "DELETE FROM audit_records",
        "TRUNCATE audit_records",
        "ALTER TABLE audit_records DISABLE TRIGGER ALL",
        "ALTER TABLE audit_records DISABLE TRIGGER audit_records_no_update",
        "DROP TRIGGER audit_records_no_update ON audit_records",
        "DROP TABLE audit_records",
        "DELETE FROM audit_chains",
        "TRUNCATE audit_chains",
        "UPDATE audit_chains SET instance = 'forged'",
        "UPDATE audit_checkpoints SET hash = 'forged'",
        "DELETE FROM audit_checkpoints",
        "UPDATE audit_verified_checkpoints SET hash = 'forged'",
        "SELECT setval('audit_records_seq', 1)",
        "ALTER SEQUENCE audit_records_seq RESTART",
        "CREATE OR REPLACE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "CREATE TABLE audit_shadow (id integer)",
    };

    [PostgresFact]
    public async Task FirstStart_OwnerMigratesAndGrants_GatewayRoleServesAtOnceWithOnlyItsRights()
    {
        var roles = await PostgresRoles.CreateAsync();
        await using var store = CreateStore(roles.GatewayConnectionString, roles.OwnerConnectionString);

        // The owner's migration created the schema and ran the embedded grants.sql for the gateway role.
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        Assert.Equal(5L, await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"SELECT count(*) FROM pg_tables WHERE schemaname = '{PostgresRoles.Schema}' AND tableowner = '{roles.OwnerRole}' AND tablename LIKE 'audit%'"));
        Assert.Equal(0L, await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = '{roles.GatewayRole}'"));
        Assert.Equal("t,t,f,f,f", await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"SELECT concat_ws(',', has_table_privilege('{roles.GatewayRole}', '{PostgresRoles.Schema}.audit_records', 'INSERT'), " +
            $"has_table_privilege('{roles.GatewayRole}', '{PostgresRoles.Schema}.audit_records', 'SELECT'), " +
            $"has_table_privilege('{roles.GatewayRole}', '{PostgresRoles.Schema}.audit_records', 'UPDATE'), " +
            $"has_table_privilege('{roles.GatewayRole}', '{PostgresRoles.Schema}.audit_records', 'DELETE'), " +
            $"has_table_privilege('{roles.GatewayRole}', '{PostgresRoles.Schema}.audit_records', 'TRUNCATE'))"));
        var records = new List<AuditRecord>();
        for (var i = 1; i <= 3; i++)
        {
            records.Add(await store.AppendAsync(AuditEntries.Create(i), CancellationToken.None));
        }

        Assert.Equal(records.Select(r => r.Id).Reverse(), (await store.QueryAsync(new AuditQuery(), CancellationToken.None)).Select(r => r.Id));
        Assert.Equal(records[1], await store.GetAsync(records[1].Id, CancellationToken.None));
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));
        VerificationAssert.AssertIntact(3, await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None));
        var incremental = await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Incremental }, CancellationToken.None);
        VerificationAssert.AssertIntact(3, incremental);
        Assert.NotNull(incremental.ResumedFrom);

        // A second replica on the complete schema runs no DDL and appends under the gateway role alone.
        await using var replica = CreateStore(roles.GatewayConnectionString, migrationConnectionString: null);
        await replica.AppendAsync(AuditEntries.Create(4), CancellationToken.None);
        Assert.True(await replica.TakeCheckpointAsync(CancellationToken.None));
        VerificationAssert.AssertIntact(4, await replica.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None));
    }

    [PostgresTheory]
    [MemberData(nameof(Tampering))]
    public async Task GatewayRole_TamperingStatement_IsDeniedByPrivilege(string sql)
    {
        var roles = await PostgresRoles.CreateAsync();
        await using var store = await StartGrantedAsync(roles);
        await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));
        VerificationAssert.AssertIntact(1, await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None));

        var denied = await Assert.ThrowsAsync<PostgresException>(() => PostgresRoles.ScalarAsync(roles.GatewayConnectionString, sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        Assert.DoesNotContain("append-only", denied.MessageText, StringComparison.Ordinal);
        Assert.DoesNotContain("moves forward", denied.MessageText, StringComparison.Ordinal);
        VerificationAssert.AssertIntact(1, await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None));
    }

    [PostgresFact]
    public async Task GatewayRoleAlone_EmptyDatabase_FailsClosedWithPermissionDeniedAndCreatesNothing()
    {
        var roles = await PostgresRoles.CreateAsync();
        await using var store = CreateStore(roles.GatewayConnectionString, migrationConnectionString: null);

        Assert.False(await store.IsReadyAsync(CancellationToken.None));
        var refused = await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask());
        var error = FindPostgresError(refused);
        Assert.NotNull(error);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Contains("permission denied for schema", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(0L, await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"SELECT count(*) FROM pg_class WHERE relnamespace = '{PostgresRoles.Schema}'::regnamespace"));
        Assert.False(await store.IsReadyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task OwnerMigration_Version1SingleChainSchema_LegacyRecordsVerifyUnderGatewayRole()
    {
        var roles = await PostgresRoles.CreateAsync();
        var old = AuditVersion1.Chain(3);
        await using (var source = PostgresServer.CreateAdminDataSource(roles.OwnerConnectionString))
        await using (var connection = await source.OpenConnectionAsync())
        {
            await TempPostgresAuditSchema.ExecuteAsync(connection, AuditVersion1.PostgresDdl);
            await AuditVersion1.InsertAsync(connection, old);
        }

        // An upgrade: roles.sql (or grants.sql) has given the old tables' rights; the new version's migration adds tables.
        await roles.GrantAsync();
        await using var store = CreateStore(roles.GatewayConnectionString, roles.OwnerConnectionString);
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        Assert.Equal(1L, await PostgresRoles.ScalarAsync(roles.OwnerConnectionString, "SELECT count(*) FROM audit_chains WHERE chain_id = 'legacy'"));

        VerificationAssert.AssertIntact(3, await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None));
        Assert.Equal(old[2].Hash, (await store.GetAsync(old[2].Id, CancellationToken.None))?.Hash);
        await store.AppendAsync(AuditEntries.Create(4), CancellationToken.None);
        Assert.True(await store.TakeCheckpointAsync(CancellationToken.None));
        var verification = await store.VerifyAsync(new AuditVerificationRequest { Mode = AuditVerificationMode.Full }, CancellationToken.None);
        VerificationAssert.AssertIntact(4, verification);
        Assert.Equal(2, verification.Chains);
        var denied = await Assert.ThrowsAsync<PostgresException>(() => PostgresRoles.ScalarAsync(roles.GatewayConnectionString, "UPDATE audit_chain_head SET seq = seq + 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }

    [PostgresFact]
    public async Task GrantsScript_GatewayRoleOwnsATable_RefusesAndNamesTheFix()
    {
        var roles = await PostgresRoles.CreateAsync();
        await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"CREATE TABLE {PostgresRoles.Schema}.audit_records (seq bigint); ALTER TABLE {PostgresRoles.Schema}.audit_records OWNER TO {roles.GatewayRole}");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => roles.GrantAsync());

        Assert.Contains("REASSIGN OWNED", refused.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task RolesScript_WithoutPasswords_FailsAndCreatesNoRole()
    {
        var server = await PostgresServer.GetSharedAsync();
        var database = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync()).Database!;
        var role = "xefai_gateway_" + Guid.NewGuid().ToString("N")[..12];

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => server.RunScriptAsync(
            database, Path.Combine(PostgresRoles.ScriptFolder, "roles.sql"), new Dictionary<string, string> { ["gateway_role"] = role }));

        Assert.Contains("owner_password", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await PostgresRoles.ScalarAsync(server.GetConnectionString(database), $"SELECT count(*) FROM pg_roles WHERE rolname = '{role}'"));
    }

    [PostgresFact]
    public async Task Grants_RunByManyMigrationsAtOnce_NoneFails()
    {
        // Hostile round 29: every store's migration (audit, governance state, reviews, token replays) runs grants.sql at
        // every start, and replicas start together. Run at once, its REVOKE and GRANTs raced on the same catalog rows and
        // about one in four failed with "tuple concurrently updated" (17 of 60 psql runs, six at a time), failing that
        // store's first use. Six migrations at once, five times: every one must succeed.
        var roles = await PostgresRoles.CreateAsync();
        await using (await StartGrantedAsync(roles))
        {
        }

        await using var gateway = NpgsqlDataSource.Create(roles.GatewayConnectionString);
        await using var owner = NpgsqlDataSource.Create(roles.OwnerConnectionString);
        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
            {
                await using var connection = await owner.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await PostgresGrants.GrantAsync(gateway, connection, transaction, CancellationToken.None);
                await transaction.CommitAsync();
            }));
        }

        Assert.Equal("t,f", await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"SELECT concat_ws(',', has_table_privilege('{roles.GatewayRole}', '{PostgresRoles.Schema}.audit_records', 'INSERT'), " +
            $"has_table_privilege('{roles.GatewayRole}', '{PostgresRoles.Schema}.audit_records', 'UPDATE'))"));
    }

    private static async Task<PostgresAuditStore> StartGrantedAsync(PostgresRoles roles)
    {
        var store = CreateStore(roles.GatewayConnectionString, roles.OwnerConnectionString);
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        return store;
    }

    /// <remarks>Checkpoints are left to the test (<see cref="PostgresAuditStore.TakeCheckpointAsync"/>): the interval is an hour.</remarks>
    private static PostgresAuditStore CreateStore(string connectionString, string? migrationConnectionString) =>
        new(
            Options.Create(new AuditOptions
            {
                Store = PostgresAuditStore.StoreKind,
                Postgres = new PostgresAuditOptions
                {
                    ConnectionString = connectionString,
                    MigrationConnectionString = migrationConnectionString,
                    CheckpointIntervalSeconds = PostgresAuditStore.MaxCheckpointIntervalSeconds,
                    AnchorPath = string.Empty,
                },
            }),
            TimeProvider.System,
            NullLogger<PostgresAuditStore>.Instance);

    private static PostgresException? FindPostgresError(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException postgres)
            {
                return postgres;
            }
        }

        return null;
    }
}

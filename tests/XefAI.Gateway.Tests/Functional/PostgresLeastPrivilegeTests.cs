using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The gateway on PostgreSQL set up as the README says, with the repository's <c>deploy/postgres/roles.sql</c> and
/// <c>grants.sql</c>: the owner role migrates (<c>Audit:Postgres:MigrationConnectionString</c>), and calls are served
/// under the restricted gateway role (<c>Audit:Postgres:ConnectionString</c>), which cannot change the trail.
/// </summary>
public sealed class PostgresLeastPrivilegeTests
{
    private const string Note = "Stable overnight. Discharged home with follow-up in one week.";

    private const string ChestPain =
        "Patient presents with chest pain radiating to the left arm. Troponin elevated at 0.8 ng/mL. " +
        "ECG shows ST depression in V4 to V6. Plan: admit to cardiology for further workup.";

    [PostgresFact]
    public async Task Gateway_OwnerMigratesAndGrantsRestrictedRoleServes_AnswersWithACommittedRecord()
    {
        var roles = await PostgresRoles.CreateAsync();
        await using var gateway = await GatewayHost.StartAsync(c => c["Audit"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject
            {
                ["ConnectionString"] = roles.GatewayConnectionString,
                ["MigrationConnectionString"] = roles.OwnerConnectionString,
            },
        });
        using var client = gateway.CreateClient();
        using var probe = gateway.CreateClient(key: null);

        // The owner's migration created the tables and gave the gateway role its rights: no DBA step between.
        Assert.Equal(200, (int)(await probe.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        var answered = await client.PostChatAsync(ChatBody("summary", Note));
        Assert.Equal(200, answered.Status);
        var auditId = answered.Header("X-XefAI-Audit-Id")!;
        var record = await gateway.GetAuditRecordAsync(auditId);
        Assert.Equal(answered.ResponseSha256, (string?)record["outputSha256"]);
        Assert.Equal(1L, await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"SELECT count(*) FROM {PostgresRoles.Schema}.audit_records WHERE id = '{auditId}'"));
        using var admin = gateway.CreateClient(GatewayHost.AdminKey);
        var committed = await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString, $"SELECT count(*) FROM {PostgresRoles.Schema}.audit_records");
        var verification = await admin.GetFromJsonAsync<JsonObject>("/admin/audit/verify");
        Assert.True((bool)verification!["valid"]!, verification.ToJsonString());

        // Every record the restricted role committed before the verification (the chat's, the admin read's) is proved.
        Assert.Equal(committed, (long)verification["records"]!);
    }

    /// <remarks>
    /// The governance state store and the review queue migrate, and grant, under the owner too
    /// (<c>Governance:Postgres:MigrationConnectionString</c>).
    /// </remarks>
    [PostgresFact]
    public async Task Gateway_GovernanceStateAndReviewsOnRestrictedRole_SuspensionAndReviewDecisionWork()
    {
        var roles = await PostgresRoles.CreateAsync();
        await using var gateway = await GatewayHost.StartAsync(c =>
        {
            UsePostgres(c, roles.GatewayConnectionString, roles.OwnerConnectionString);
            c.AddTier4UseCase("triage", "Chest pain triage", "local", "test-app");
        });
        using var probe = gateway.CreateClient(key: null);
        using var admin = gateway.CreateClient(GatewayHost.AdminKey);

        // First use creates every table under the owner, which grants the gateway role its rights on them.
        Assert.Equal(200, (int)(await probe.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.Equal(200, (await admin.GetCallAsync("/admin/reviews")).Status);
        Assert.Equal(200, (await admin.GetCallAsync("/admin/use-cases/summary/history")).Status);
        Assert.Equal(0L, await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = '{roles.GatewayRole}'"));
        Assert.Equal(false, await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"SELECT has_table_privilege('{roles.GatewayRole}', '{PostgresRoles.Schema}.incidents', 'DELETE')"));
        await gateway.ActivateTier4Async("triage");
        using var client = gateway.CreateClient();

        var suspend = await admin.PostReasonAsync("/admin/use-cases/summary/suspend", "Weekly sample failed");
        Assert.Equal(200, suspend.Status);
        Assert.Equal(403, (await client.PostChatAsync(ChatBody("summary", Note))).Status);
        Assert.Equal(200, (await admin.PostReasonAsync("/admin/use-cases/summary/resume", "Prompt fixed")).Status);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", Note))).Status);

        var held = await client.PostChatAsync(ChatBody("triage", ChestPain));
        Assert.Equal(202, held.Status);
        var reviewId = (string)held.Json["id"]!;
        var approve = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");
        Assert.Equal(200, approve.Status);
        Assert.Equal(200, (await client.GetCallAsync($"/v1/reviews/{reviewId}")).Status);

        var verification = await admin.GetFromJsonAsync<JsonObject>("/admin/audit/verify");
        Assert.True((bool)verification!["valid"]!, verification.ToJsonString());
        Assert.Equal(0L, await PostgresRoles.ScalarAsync(roles.SuperuserConnectionString,
            $"SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = '{roles.GatewayRole}'"));
    }

    private static void UsePostgres(JsonObject configuration, string connectionString, string migrationConnectionString)
    {
        configuration["Audit"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject
            {
                ["ConnectionString"] = connectionString,
                ["MigrationConnectionString"] = migrationConnectionString,
            },
        };
        configuration["Governance"]!["StateStore"] = "postgres";
        configuration["Governance"]!["Postgres"] = new JsonObject
        {
            ["ConnectionString"] = connectionString,
            ["MigrationConnectionString"] = migrationConnectionString,
        };
    }
}

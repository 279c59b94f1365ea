using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>A gateway whose PostgreSQL audit schema was dropped while it was stopped refuses every call instead of starting a new trail.</summary>
public sealed class PostgresAuditAnchorTests
{
    [PostgresFact]
    public async Task Restart_AuditSchemaDroppedWhileStopped_NotReadyCallsRefusedAndVerifySaysWhy()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        var folder = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
        var anchor = Path.Combine(folder, "replica-1", "audit-postgres.anchor");
        void UsePostgres(JsonObject c) => c["Audit"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject { ["ConnectionString"] = connectionString, ["AnchorPath"] = anchor },
        };
        try
        {
            await using (var first = await GatewayHost.StartAsync(UsePostgres))
            {
                using var client = first.CreateClient();
                Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Stable. Discharge home."))).Status);
            }

            Assert.True(File.Exists(anchor));
            await using (var admin = PostgresServer.CreateAdminDataSource(connectionString))
            await using (var drop = admin.CreateCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            {
                await drop.ExecuteNonQueryAsync();
            }

            await using var second = await GatewayHost.StartAsync(UsePostgres);
            using var caller = second.CreateClient();
            using var probe = second.CreateClient(key: null);
            using var adminClient = second.CreateClient(GatewayHost.AdminKey);

            var call = await caller.PostChatAsync(ChatBody("summary", "Stable. Discharge home."));
            var ready = await probe.GetAsync(new Uri("/readyz", UriKind.Relative));
            var verification = await adminClient.GetFromJsonAsync<JsonObject>("/admin/audit/verify");

            Assert.Equal(503, call.Status);
            Assert.Equal("audit_unavailable", (string?)call.Json["error"]!["code"]);
            Assert.Equal(503, (int)ready.StatusCode);
            Assert.False((bool)verification!["valid"]!);
            Assert.Contains("the schema was dropped", (string?)verification["problem"], StringComparison.Ordinal);

            // Not recreated empty: the next start is refused the same way until the trail is restored.
            await using var check = PostgresServer.CreateAdminDataSource(connectionString);
            await using var exists = check.CreateCommand("SELECT to_regclass('public.audit_records') IS NOT NULL");
            Assert.Equal(false, await exists.ExecuteScalarAsync());
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Several gateway replicas sharing one real PostgreSQL audit store keep one valid chain.</summary>
public sealed class PostgresReplicaTests
{
    [PostgresFact]
    public async Task TwoGateways_ConcurrentCallsOnOneDatabase_SingleValidChain()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        void UsePostgres(JsonObject c) => c["Audit"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject { ["ConnectionString"] = connectionString },
        };
        await using var first = await GatewayHost.StartAsync(UsePostgres);
        await using var second = await GatewayHost.StartAsync(UsePostgres);
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();

        var calls = Enumerable.Range(0, 60)
            .Select(i => (i % 2 == 0 ? firstClient : secondClient).PostChatAsync(ChatBody("summary", $"Note {i}. Stable. Discharge home.")))
            .ToList();
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal(200, r.Status));
        using var admin = second.CreateClient(GatewayHost.AdminKey);
        var verification = await admin.GetFromJsonAsync<JsonObject>("/admin/audit/verify");
        Assert.True((bool)verification!["valid"]!, verification.ToJsonString());
        // The calls, and each process's record of the configuration it started with, in its own chain.
        Assert.Equal(62, (long)verification["records"]!);
        Assert.Equal(2, (int)verification["chains"]!);
        var trail = (await admin.GetFromJsonAsync<JsonObject>("/admin/audit?limit=1000"))!["data"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var configurations = (await admin.GetFromJsonAsync<JsonObject>("/admin/audit?decision=config_applied"))!["data"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(2, configurations.Count);
        Assert.Equal(2, trail.Count(r => (string?)r["decision"] == "config_applied"));

        // Loaded from the same files: the same hash, which every call names, whichever process answered it.
        var hash = (string?)configurations[0]["inputSha256"];
        Assert.Equal(hash, (string?)configurations[1]["inputSha256"]);
        Assert.All(trail.Where(r => (string?)r["decision"] == "answered"), r => Assert.Equal(hash, r.ConfigurationOf()));
        var record = await first.GetAuditRecordAsync(results[1].Header("X-XefAI-Audit-Id")!);
        Assert.Equal(results[1].ResponseSha256, (string?)record["outputSha256"]);
        using var probe = first.CreateClient(key: null);
        Assert.Equal(200, (int)(await probe.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A session holding the audit chain's lock (a stalled replica) does not stall this gateway: a call fails
/// closed with 503 <c>audit_unavailable</c> within the commit timeout, <c>/readyz</c> turns 503 while the lock
/// is held, and both recover once it is released. <c>/healthz</c> stays a liveness check throughout.
/// </summary>
public sealed class PostgresBoundedWaitTests
{
    private const int CommitTimeoutSeconds = 1;

    [PostgresFact]
    public async Task OwnChainRowLockedElsewhere_CallFailsClosedWithinTimeoutAndNotReady_ThenRecovers()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        await using var gateway = await GatewayHost.StartAsync(c => c["Audit"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject { ["ConnectionString"] = connectionString, ["CommitTimeoutSeconds"] = CommitTimeoutSeconds },
        });
        using var client = gateway.CreateClient();
        using var probe = gateway.CreateClient(key: null);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Note 1. Stable."))).Status);
        Assert.Equal(200, (int)(await probe.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        await using (var holder = new NpgsqlConnection(connectionString))
        {
            await holder.OpenAsync();
            await using (var begin = new NpgsqlCommand("BEGIN; SELECT seq FROM audit_chains FOR UPDATE", holder))
            {
                await begin.ExecuteNonQueryAsync();
            }

            var watch = Stopwatch.StartNew();
            var blocked = await client.PostChatAsync(ChatBody("summary", "Note 2. Stable."));
            watch.Stop();

            Assert.Equal(503, blocked.Status);
            Assert.Equal("audit_unavailable", (string?)blocked.Json["error"]!["code"]);
            // A generous bound, not a timing: without a bound the call waits as long as the lock is held, which is
            // until after it returns. Twice the timeout was too tight for a 2-core machine under load.
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20 * CommitTimeoutSeconds), $"The call waited {watch.Elapsed}.");
            Assert.Equal(503, (int)(await probe.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
            Assert.Equal(200, (int)(await probe.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

            await using var rollback = new NpgsqlCommand("ROLLBACK", holder);
            await rollback.ExecuteNonQueryAsync();
        }

        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Note 3. Stable."))).Status);
        Assert.Equal(200, (int)(await probe.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
    }
}

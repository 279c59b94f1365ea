using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using XefAI.Testing;
using Xunit.Abstractions;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Gateway replicas sharing one PostgreSQL database for governance state, reviews and audit: a kill switch
/// pulled on one replica stops the use case on every replica, and a review held on one is decided on another.
/// </summary>
public sealed class PostgresGovernanceStateTests(ITestOutputHelper output)
{
    private const string Note = "Stable overnight. Discharged home with follow-up in one week.";

    private const string ChestPain =
        "Patient presents with chest pain radiating to the left arm. Troponin elevated at 0.8 ng/mL. " +
        "ECG shows ST depression in V4 to V6. Plan: admit to cardiology for further workup.";

    [PostgresFact]
    public async Task TwoGateways_UseCaseSuspendedThroughOne_OtherRefusesWithinSecondsAndResumeThroughItServesAgain()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        await using var first = await GatewayHost.StartAsync(c => UsePostgres(c, connectionString));
        await using var second = await GatewayHost.StartAsync(c => UsePostgres(c, connectionString));
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        using var firstAdmin = first.CreateClient(GatewayHost.AdminKey);
        using var secondAdmin = second.CreateClient(GatewayHost.AdminKey);
        Assert.Equal(200, (await firstClient.PostChatAsync(ChatBody("summary", Note))).Status);
        Assert.Equal(200, (await secondClient.PostChatAsync(ChatBody("summary", Note))).Status);

        var clock = Stopwatch.StartNew();
        var suspend = await firstAdmin.PostReasonAsync("/admin/use-cases/summary/suspend", "Hallucinated medications in weekly sample");

        Assert.Equal(200, suspend.Status);
        var refusedHere = await firstClient.PostChatAsync(ChatBody("summary", Note));
        Assert.Equal(403, refusedHere.Status);
        Assert.Equal("use_case_suspended", (string?)refusedHere.Json["error"]!["code"]);
        var refusedThere = await WaitForCallAsync(secondClient, "summary", 403, "the second gateway refuses the suspended use case");
        output.WriteLine($"Second gateway refused {clock.Elapsed.TotalMilliseconds:F0} ms after the suspension was requested on the first.");
        Assert.Equal("use_case_suspended", (string?)refusedThere.Json["error"]!["code"]);
        Assert.Contains("Hallucinated medications in weekly sample", (string?)refusedThere.Json["error"]!["message"], StringComparison.Ordinal);

        var resume = await secondAdmin.PostReasonAsync("/admin/use-cases/summary/resume", "Prompt fixed and re-validated");

        Assert.Equal(200, resume.Status);
        Assert.Equal("suspended", (string?)resume.Json["from"]);
        Assert.Equal(200, (await secondClient.PostChatAsync(ChatBody("summary", Note))).Status);
        await WaitForCallAsync(firstClient, "summary", 200, "the first gateway serves the resumed use case");
        var history = await firstAdmin.GetFromJsonAsync<JsonObject>("/admin/use-cases/summary/history");
        Assert.Equal(["suspended", "active"], history!["data"]!.AsArray().Select(c => (string?)c!["to"]));
        var verification = await secondAdmin.GetFromJsonAsync<JsonObject>("/admin/audit/verify");
        Assert.True((bool)verification!["valid"]!, verification.ToJsonString());
    }

    [PostgresFact]
    public async Task TwoGateways_AnswerHeldOnOne_ApprovedThroughTheOtherAndReleasedByBoth()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        void Configure(JsonObject c)
        {
            UsePostgres(c, connectionString);
            c.AddTier4UseCase("triage", "Chest pain triage", "local", "test-app");
        }

        await using var first = await GatewayHost.StartAsync(Configure);
        await using var second = await GatewayHost.StartAsync(Configure);
        await first.ActivateTier4Async("triage");
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        using var firstAdmin = first.CreateClient(GatewayHost.AdminKey);
        using var secondAdmin = second.CreateClient(GatewayHost.AdminKey);

        var held = await firstClient.PostChatAsync(ChatBody("triage", ChestPain));

        Assert.Equal(202, held.Status);
        var reviewId = (string)held.Json["id"]!;
        var pending = await secondAdmin.GetFromJsonAsync<JsonObject>("/admin/reviews");
        Assert.Contains(pending!["data"]!.AsArray(), r => (string?)r!["id"] == reviewId && (string?)r["status"] == "pending");
        Assert.Equal(202, (await secondClient.GetCallAsync($"/v1/reviews/{reviewId}")).Status);

        var approve = await secondAdmin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");

        Assert.Equal(200, approve.Status);
        Assert.Equal("approved", (string?)approve.Json["status"]);
        var releasedHere = await firstClient.GetCallAsync($"/v1/reviews/{reviewId}");
        var releasedThere = await secondClient.GetCallAsync($"/v1/reviews/{reviewId}");
        Assert.Equal(200, releasedHere.Status);
        Assert.Equal("chat.completion", (string?)releasedHere.Json["object"]);
        Assert.Equal("test-admin", releasedHere.Header("X-XefAI-Reviewed-By"));
        Assert.Equal(releasedHere.ResponseSha256, releasedThere.ResponseSha256);
        var late = await firstAdmin.PostJsonAsync($"/admin/reviews/{reviewId}/reject", """{"comment":"too late"}""");
        Assert.Equal(409, late.Status);
        Assert.Equal("review_already_decided", (string?)late.Json["error"]!["code"]);

        // One audit chain for both replicas: the hold written by the first, the approval by the second, and the
        // late rejection refused by the first, all on the call's own trail.
        var trail = await second.GetAuditRecordsOfTraceAsync(held.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(["held", "review-approved", "review-refused"], trail.Select(r => (string?)r["decision"]));
        Assert.Equal(releasedHere.ResponseSha256, (string?)trail[0]["outputSha256"]);

        // The kill switch pulled on the first holds the approved answer back on the second at once, not at its next poll.
        Assert.Equal(200, (await firstAdmin.PostReasonAsync("/admin/use-cases/triage/suspend", "Unsafe advice reported")).Status);
        var whileSuspended = await secondClient.GetCallAsync($"/v1/reviews/{reviewId}");
        Assert.Equal(403, whileSuspended.Status);
        Assert.Equal("use_case_suspended", (string?)whileSuspended.Json["error"]!["code"]);
    }

    [PostgresFact]
    public async Task ReviewAndStateTablesLockedByAStalledSession_EndpointsAnswer503WithinTheTimeout_ThenRecover()
    {
        const int TimeoutSeconds = 1;
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        await using var gateway = await GatewayHost.StartAsync(c =>
        {
            UsePostgres(c, connectionString);
            c["Governance"]!["Postgres"]!["CommandTimeoutSeconds"] = TimeoutSeconds;
            c.AddTier4UseCase("triage", "Chest pain triage", "local", "test-app");
        });
        await gateway.ActivateTier4Async("triage");
        using var client = gateway.CreateClient();
        using var admin = gateway.CreateClient(GatewayHost.AdminKey);
        var held = await client.PostChatAsync(ChatBody("triage", ChestPain));
        Assert.Equal(202, held.Status);
        var reviewId = (string)held.Json["id"]!;

        await using (var stalled = new NpgsqlConnection(connectionString))
        {
            await stalled.OpenAsync();
            await using (var hold = new NpgsqlCommand(
                "BEGIN; LOCK TABLE reviews IN ACCESS EXCLUSIVE MODE; LOCK TABLE use_case_status_changes IN ACCESS EXCLUSIVE MODE", stalled))
            {
                await hold.ExecuteNonQueryAsync();
            }

            var clock = Stopwatch.StartNew();
            var list = await admin.GetCallAsync("/admin/reviews");
            var approve = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");
            var poll = await client.GetCallAsync($"/v1/reviews/{reviewId}");
            var history = await admin.GetCallAsync("/admin/use-cases/triage/history");
            var suspend = await admin.PostReasonAsync("/admin/use-cases/triage/suspend", "Weekly sample failed");
            clock.Stop();

            Assert.Equal([503, 503, 503, 503, 503], new[] { list.Status, approve.Status, poll.Status, history.Status, suspend.Status });
            Assert.Equal(
                ["review_queue_unavailable", "review_queue_unavailable", "review_queue_unavailable", "governance_state_unavailable", "governance_state_unavailable"],
                new[] { list, approve, poll, history, suspend }.Select(c => (string?)c.Json["error"]!["code"]));
            Assert.All(new[] { list, approve, poll, history, suspend }, c =>
                Assert.DoesNotContain("Npgsql", c.Json.ToJsonString(), StringComparison.Ordinal));
            // A lock held past lock_timeout is a timeout, and said to be one (a refusal of another cause is not).
            Assert.All(new[] { list, approve, poll, history }, c =>
                Assert.Contains("did not answer in time", (string?)c.Json["error"]!["message"], StringComparison.Ordinal));
            // Transient refusals: each says when to retry, for clients and load balancers.
            Assert.All(new[] { list, approve, poll, history, suspend }, c => Assert.Equal("1", c.Header("Retry-After")));

            // Generous: five calls against a 1 s timeout; unbounded, each would wait as long as the lock is held.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5 * 3 * TimeoutSeconds), $"Five calls took {clock.Elapsed}.");
            await using var rollback = new NpgsqlCommand("ROLLBACK", stalled);
            await rollback.ExecuteNonQueryAsync();
        }

        var approved = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");
        Assert.Equal(200, approved.Status);
        Assert.Equal(200, (await client.GetCallAsync($"/v1/reviews/{reviewId}")).Status);
        Assert.Equal(200, (await admin.GetCallAsync("/admin/use-cases/triage/history")).Status);
    }

    [Fact]
    public async Task GovernanceStoreUnreachableAtStartUp_HostKeepsRunning_AndCallsFailClosed()
    {
        // Nothing listens on port 1: the store cannot be read. Before, the metric export's first read of the use
        // cases threw out of its BackgroundService and the host stopped itself (a crash loop during a database outage).
        await using var gateway = await GatewayHost.StartAsync(c =>
        {
            c["Governance"]!["StateStore"] = "postgres";
            c["Governance"]!["Postgres"] = new JsonObject { ["ConnectionString"] = "Host=127.0.0.1;Port=1;Database=xefai;Username=x;Password=x;Timeout=2" };
        });
        using var client = gateway.CreateClient();
        var lifetime = gateway.Services.GetRequiredService<IHostApplicationLifetime>();

        var refused = await client.PostChatAsync(ChatBody("summary", Note));
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "The host stopped itself over an unreadable governance store.");
        // Fails closed, as the other stores' outages do: a 503 naming the store, to be retried; no answer released.
        Assert.Equal(503, refused.Status);
        Assert.Equal("governance_state_unavailable", (string?)refused.Json["error"]!["code"]);
        Assert.Equal("1", refused.Header("Retry-After"));
        Assert.Null(refused.Json["choices"]);
        Assert.Equal(200, (await client.GetCallAsync("/healthz")).Status);

        // Not ready, and saying why: a replica that refuses every call is no replica to route calls to (fault round 27
        // found /readyz answering 200 throughout).
        var ready = await client.GetCallAsync("/readyz");
        Assert.Equal(503, ready.Status);
        Assert.Equal("the governance state store cannot be read", (string?)ready.Json["reason"]);
    }

    /// <summary>Governance state, reviews and audit all in the one database, as a multi-host deployment runs.</summary>
    private static void UsePostgres(JsonObject configuration, string connectionString)
    {
        configuration["Audit"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject { ["ConnectionString"] = connectionString },
        };
        configuration["Governance"]!["StateStore"] = "postgres";
        configuration["Governance"]!["Postgres"] = new JsonObject { ["ConnectionString"] = connectionString };
    }

    /// <summary>Calls until the use case answers with <paramref name="status"/>: the other replica's poll decides when.</summary>
    private static async Task<GatewayCall> WaitForCallAsync(HttpClient client, string useCase, int status, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var call = await client.PostChatAsync(ChatBody(useCase, Note));
            if (call.Status == status)
            {
                return call;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"{what} did not happen within 15 s (last status {call.Status}).");
            await Task.Delay(50);
        }
    }
}

using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// What the governance API says when the governance state database (which the review queue shares) fails: "did not
/// answer in time" for a lock held past the busy timeout only; a deleted, moved or unreadable file is said to be
/// unreadable, with nothing of the cause (path, driver text) in the answer.
/// </summary>
public sealed class StoreRefusalTests
{
    private const string ChestPain = "Chest pain radiating to the left arm. Troponin elevated at 0.8 ng/mL.";

    [Fact]
    public async Task GovernanceRoutes_StateDatabaseDeleted_503SaysItCouldNotBeReadNotThatItTimedOut()
    {
        await using var gateway = await GovernanceFileGateway.StartAsync();
        using var client = gateway.Host.CreateClient();
        using var admin = gateway.Host.CreateClient(GatewayHost.AdminKey);
        var held = await client.PostChatAsync(ChatBody("triage", ChestPain));
        Assert.Equal(202, held.Status);
        var reviewId = (string)held.Json["id"]!;
        var auditId = held.Header("X-XefAI-Audit-Id")!;

        gateway.DeleteDatabase();
        var list = await admin.GetCallAsync("/admin/reviews");
        var poll = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        var approve = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");
        var history = await admin.GetCallAsync("/admin/use-cases/triage/history");
        var incidents = await admin.GetCallAsync("/admin/incidents");
        var report = await admin.PostJsonAsync(
            "/admin/incidents", new JsonObject { ["auditId"] = auditId, ["description"] = "Score contradicted the chart." }.ToJsonString());
        var status = await admin.GetCallAsync("/admin/status"); // reads the review queue; its failure reaches the admin filter

        GatewayCall[] refusals = [list, poll, approve, history, incidents, report, status];
        Assert.Equal([503, 503, 503, 503, 503, 503, 503], refusals.Select(c => c.Status));
        Assert.Equal(
            [
                "review_queue_unavailable", "review_queue_unavailable", "review_queue_unavailable",
                "governance_state_unavailable", "governance_state_unavailable", "governance_state_unavailable", "store_unavailable",
            ],
            refusals.Select(c => (string?)c.Json["error"]!["code"]));
        Assert.All(refusals, c => Assert.DoesNotContain("in time", (string?)c.Json["error"]!["message"], StringComparison.Ordinal));
        Assert.Equal("The review queue could not be read. Retry later.", (string?)list.Json["error"]!["message"]);
        Assert.Equal("The review queue could not be read. Retry later.", (string?)poll.Json["error"]!["message"]);
        Assert.Equal("The review queue could not record the decision; nothing was decided. Retry later.", (string?)approve.Json["error"]!["message"]);
        Assert.Equal("The governance state store could not be read. Retry later.", (string?)history.Json["error"]!["message"]);
        Assert.Equal("The governance state store could not be read. Retry later.", (string?)incidents.Json["error"]!["message"]);
        Assert.StartsWith("The governance state store failed while recording the incident", (string?)report.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal("The audit or governance store could not be read just now; retry shortly.", (string?)status.Json["error"]!["message"]);

        // The cause is the log's: no path, no driver text, no SQL in what the caller reads.
        Assert.All(refusals, c =>
        {
            var body = c.Json.ToJsonString();
            Assert.DoesNotContain(gateway.Host.Directory, body, StringComparison.Ordinal);
            Assert.DoesNotContain("SQLite", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("reviews", body, StringComparison.Ordinal);
        });
        Assert.All(refusals, c => Assert.Equal("1", c.Header("Retry-After")));

        // A store outage is not the caller's invalid request: typed as the call pipeline types its own 503s.
        Assert.All(refusals, c => Assert.Equal("server_error", (string?)c.Json["error"]!["type"]));
        var invalid = await admin.GetCallAsync("/admin/reviews?status=bogus");
        Assert.Equal(400, invalid.Status);
        Assert.Equal("invalid_request_error", (string?)invalid.Json["error"]!["type"]);
    }

    [Fact]
    public async Task Approve_StateDatabaseWriteLockedPastTheBusyTimeout_503SaysTheQueueDidNotAnswerInTime()
    {
        await using var gateway = await GovernanceFileGateway.StartAsync();
        using var client = gateway.Host.CreateClient();
        using var admin = gateway.Host.CreateClient(GatewayHost.AdminKey);
        var held = await client.PostChatAsync(ChatBody("triage", ChestPain));
        var reviewId = (string)held.Json["id"]!;

        // Another process holding the write lock: the realistic timeout. Readers still read (WAL); a decision waits, then gives up.
        GatewayCall approve;
        await using (var blocker = new SqliteConnection($"Data Source={gateway.StatePath};Pooling=False"))
        {
            await blocker.OpenAsync();
            await using var begin = blocker.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();

            approve = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");
        }

        Assert.Equal(503, approve.Status);
        Assert.Equal("review_queue_unavailable", (string?)approve.Json["error"]!["code"]);
        Assert.Equal("The review queue did not answer in time; nothing was decided. Retry later.", (string?)approve.Json["error"]!["message"]);
        Assert.Equal("1", approve.Header("Retry-After"));
        Assert.Equal("server_error", (string?)approve.Json["error"]!["type"]);
        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""")).Status);
    }
}

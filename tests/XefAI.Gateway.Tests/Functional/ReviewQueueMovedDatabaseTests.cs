using Microsoft.Data.Sqlite;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The review queue's database deleted, or replaced by a restore, while the gateway has it open: reviewers and apps
/// are answered 503 <c>review_queue_unavailable</c> with <c>Retry-After</c>, not a 500, and nothing is written into
/// the file that is gone; after a restore the queue reads the restored file.
/// </summary>
[Collection(SqlitePoolCollection.Name)]
public sealed class ReviewQueueMovedDatabaseTests
{
    private const string ChestPain = "Chest pain radiating to the left arm. Troponin elevated at 0.8 ng/mL.";

    [Fact]
    public async Task ReviewRoutes_QueueDatabaseDeleted_503ReviewQueueUnavailableWithRetryAfter()
    {
        await using var gateway = await GovernanceFileGateway.StartAsync();
        using var client = gateway.Host.CreateClient();
        using var admin = gateway.Host.CreateClient(GatewayHost.AdminKey);
        var reviewId = await HoldAsync(client);

        gateway.DeleteDatabase();
        var approve = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");
        var list = await admin.GetCallAsync("/admin/reviews");
        var poll = await client.GetCallAsync($"/v1/reviews/{reviewId}");

        AssertQueueUnavailable(approve, list, poll);

        // The refused decision is on the record as refused, and no approval was audited.
        var records = (await admin.GetCallAsync("/admin/audit?limit=50")).Json["data"]!.AsArray();
        Assert.Contains(records, r => (string?)r!["decision"] == "review-refused"
            && (string?)r["reasons"] == $"review_queue_unavailable;review:{reviewId};action:approve" && (int?)r["statusCode"] == 503);
        Assert.DoesNotContain(records, r => (string?)r!["decision"] == "review-approved");
    }

    [Fact]
    public async Task ReviewRoutes_QueueDatabaseReplacedByARestore_503OnceThenTheRestoredQueueIsRead()
    {
        await using var gateway = await GovernanceFileGateway.StartAsync();
        using var client = gateway.Host.CreateClient();
        using var admin = gateway.Host.CreateClient(GatewayHost.AdminKey);
        var restoredId = await HoldAsync(client);
        var backup = gateway.StatePath + ".backup";
        await using (var copy = new SqliteConnection($"Data Source={gateway.StatePath};Pooling=False"))
        {
            await copy.OpenAsync();
            await using var vacuum = copy.CreateCommand();
            vacuum.CommandText = "VACUUM INTO $path";
            vacuum.Parameters.AddWithValue("$path", backup);
            await vacuum.ExecuteNonQueryAsync();
        }

        var lostId = await HoldAsync(client);
        gateway.DeleteDatabase();
        File.Move(backup, gateway.StatePath);

        // The queue's pooled connection still has the old file open: refused, not written there.
        var approve = await admin.PostJsonAsync($"/admin/reviews/{restoredId}/approve", """{"comment":"ok"}""");
        AssertQueueUnavailable(approve);

        // Its pool cleared, the queue reads the restored file: the review held after the backup is not in it.
        var list = await admin.GetCallAsync("/admin/reviews");
        Assert.Equal(200, list.Status);
        var pending = list.Json["data"]!.AsArray().Select(r => (string?)r!["id"]).ToList();
        Assert.Contains(restoredId, pending);
        Assert.DoesNotContain(lostId, pending);
        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{restoredId}/approve", """{"comment":"ok"}""")).Status);
    }

    private static void AssertQueueUnavailable(params GatewayCall[] calls) => Assert.All(calls, call =>
    {
        Assert.Equal(503, call.Status);
        Assert.Equal("review_queue_unavailable", (string?)call.Json["error"]!["code"]);
        Assert.Equal("server_error", (string?)call.Json["error"]!["type"]);
        Assert.DoesNotContain("in time", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal("1", call.Header("Retry-After"));
    });

    private static async Task<string> HoldAsync(HttpClient client)
    {
        var held = await client.PostChatAsync(ChatBody("triage", ChestPain));
        Assert.Equal(202, held.Status);
        return (string)held.Json["id"]!;
    }
}

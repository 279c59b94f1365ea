using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Admin;

/// <summary>Verifying the audit trail through the admin API: now, incrementally, or in the background with progress.</summary>
public sealed class AuditVerificationEndpointsTests
{
    [Fact]
    public async Task BackgroundVerification_SqliteTrail_RunsToCompletionAndReportsProgress()
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var client = gateway.CreateClient();
        using var admin = gateway.CreateClient(GatewayHost.AdminKey);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", $"Note {i}. Stable."))).Status);
        }

        var started = await admin.PostJsonAsync("/admin/audit/verifications", null);

        Assert.Equal(202, started.Status);
        var id = (string)started.Json["id"]!;
        Assert.Equal("full", (string?)started.Json["mode"]);
        Assert.Equal($"/admin/audit/verifications/{id}", started.Response.Headers.Location?.OriginalString);
        var run = await WaitForFinishAsync(admin, id);
        Assert.Equal("completed", (string?)run["state"]);
        Assert.True((bool)run["result"]!["valid"]!, run.ToJsonString());
        Assert.True((long)run["result"]!["records"]! >= 3);
        Assert.Equal(100.0, (double)run["progress"]!["percent"]!);
        var list = (await admin.GetCallAsync("/admin/audit/verifications")).Json;
        Assert.Equal(id, (string?)list["data"]![0]!["id"]);

        // Starting it was an admin action, and the trail says who did it.
        var records = await gateway.GetAuditRecordsAsync();
        Assert.Contains(records, r => (string?)r["decision"] == "audit-verification-started");
    }

    [Theory]
    [InlineData("/admin/audit/verify?mode=quick", 400, "invalid_value")]
    [InlineData("/admin/audit/verify?full=1", 400, "invalid_value")]
    [InlineData("/admin/audit/verifications/ver_404", 404, "not_found")]
    public async Task VerificationEndpoints_BadInput_ClearError(string path, int status, string code)
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var admin = gateway.CreateClient(GatewayHost.AdminKey);

        var call = await admin.GetCallAsync(path);

        Assert.Equal(status, call.Status);
        Assert.Equal(code, (string?)call.Json["error"]!["code"]);
    }

    [Fact]
    public async Task VerificationEndpoints_ClientKey_AreRefused()
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var client = gateway.CreateClient();

        Assert.Equal(401, (await client.PostJsonAsync("/admin/audit/verifications", null)).Status);
        Assert.Equal(401, (await client.GetCallAsync("/admin/audit/verifications")).Status);
    }

    [PostgresFact]
    public async Task Verification_PostgresTrail_IncrementalResumesAndFullWalksEveryChain()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        void UsePostgres(JsonObject c) => c["Audit"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject { ["ConnectionString"] = connectionString, ["CheckpointIntervalSeconds"] = 1 },
        };
        await using var first = await GatewayHost.StartAsync(UsePostgres);
        await using var second = await GatewayHost.StartAsync(UsePostgres);
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        using var admin = first.CreateClient(GatewayHost.AdminKey);
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? firstClient : secondClient).PostChatAsync(ChatBody("summary", $"Note {i}. Stable."))));
        Assert.All(results, r => Assert.Equal(200, r.Status));

        // Both replicas' chains, once a checkpoint binds them.
        JsonObject now = [];
        await AdminCalls.WaitUntilAsync(
            async () =>
            {
                now = (await admin.GetCallAsync("/admin/audit/verify")).Json;
                return now["checkpoint"] is not null && (long)now["chains"]! == 2 && (long)now["records"]! >= 10;
            },
            "a checkpoint binding both replicas' chains");
        Assert.True((bool)now["valid"]!, now.ToJsonString());

        var started = await admin.PostJsonAsync("/admin/audit/verifications?mode=full", null);
        var run = await WaitForFinishAsync(admin, (string)started.Json["id"]!);

        Assert.Equal("completed", (string?)run["state"]);
        var result = run["result"]!;
        Assert.True((bool)result["valid"]!, run.ToJsonString());
        Assert.Equal((long)result["records"]!, (long)result["checked"]!);
        Assert.Null(result["resumedFrom"]);
    }

    [Fact]
    public async Task Verify_SqliteWalkLongerThanTheInlineBound_GoesOnInTheBackgroundWithProgressThenResumesInline()
    {
        // The test host's own SQLite trail, with a bound of 5.
        await using var gateway = await GatewayHost.StartAsync(c => c["Audit"]!["Verification"] = new JsonObject { ["MaxInlineRecords"] = 5, ["IntervalMinutes"] = 0 });
        using var client = gateway.CreateClient();
        using var admin = gateway.CreateClient(GatewayHost.AdminKey);
        var inline = await StayWithinTheInlineBoundAsync(client, admin);

        // The four calls and the configuration record written at start.
        Assert.Equal(5, (long)inline["records"]!);

        var run = await PassTheInlineBoundAsync(client, admin);
        var result = run["result"]!;
        Assert.True((bool)result["valid"]!, run.ToJsonString());
        var records = (long)result["records"]!;
        Assert.True(records >= 10, run.ToJsonString());

        // The run counted its walk and reported how far it came.
        Assert.Equal(records, (long)run["progress"]!["toCheck"]!);
        Assert.Equal(records, (long)run["progress"]!["checked"]!);

        // An incremental walk resumes from what the run proved: a few new records fit the bound again.
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Last. Stable."))).Status);
        var resumed = await admin.GetCallAsync("/admin/audit/verify");
        Assert.Equal(200, resumed.Status);
        Assert.True((bool)resumed.Json["valid"]!, resumed.Json.ToJsonString());
        Assert.Equal(records, (long)resumed.Json["resumedFrom"]!);
        Assert.InRange((long)resumed.Json["checked"]!, 1, 5);
        Assert.Equal(records + (long)resumed.Json["checked"]!, (long)resumed.Json["records"]!);
    }

    [PostgresFact]
    public async Task Verify_PostgresWalkLongerThanTheInlineBound_GoesOnInTheBackground()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        await using var gateway = await GatewayHost.StartAsync(c => c["Audit"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject { ["ConnectionString"] = connectionString },
            ["Verification"] = new JsonObject { ["MaxInlineRecords"] = 5, ["IntervalMinutes"] = 0 },
        });
        using var client = gateway.CreateClient();
        using var admin = gateway.CreateClient(GatewayHost.AdminKey);
        _ = await StayWithinTheInlineBoundAsync(client, admin);

        var run = await PassTheInlineBoundAsync(client, admin);
        Assert.True((bool)run["result"]!["valid"]!, run.ToJsonString());
        Assert.True((long)run["result"]!["records"]! >= 10);
    }

    /// <summary>
    /// Four calls and the start's configuration record stay within a bound of 5: the full walk is done on the request
    /// and valid; its answer.
    /// </summary>
    private static async Task<JsonNode> StayWithinTheInlineBoundAsync(HttpClient client, HttpClient admin)
    {
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", $"Note {i}. Stable."))).Status);
        }

        var inline = await admin.GetCallAsync("/admin/audit/verify?mode=full");
        Assert.Equal(200, inline.Status);
        Assert.True((bool)inline.Json["valid"]!, inline.Json.ToJsonString());
        return inline.Json;
    }

    /// <summary>
    /// Six more calls take a trail of four past a bound of 5: the full walk's request answers 202 at once with the
    /// background run that does the same walk, which is awaited and must complete.
    /// </summary>
    private static async Task<JsonObject> PassTheInlineBoundAsync(HttpClient client, HttpClient admin)
    {
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", $"More {i}. Stable."))).Status);
        }

        var deferred = await admin.GetCallAsync("/admin/audit/verify?mode=full");

        Assert.Equal(202, deferred.Status);
        var id = (string)deferred.Json["id"]!;
        Assert.Equal($"/admin/audit/verifications/{id}", deferred.Response.Headers.Location?.OriginalString);
        var run = await WaitForFinishAsync(admin, id);
        Assert.Equal("completed", (string?)run["state"]);
        return run;
    }

    private static async Task<JsonObject> WaitForFinishAsync(HttpClient admin, string id)
    {
        JsonObject run = [];
        await AdminCalls.WaitUntilAsync(
            async () =>
            {
                run = (await admin.GetCallAsync($"/admin/audit/verifications/{id}")).Json;
                return (string?)run["state"] != "running";
            },
            $"verification {id} to finish");
        return run;
    }
}

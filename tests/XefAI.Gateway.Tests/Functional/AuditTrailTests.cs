using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

public sealed class AuditTrailTests
{
    [Fact]
    public async Task Post_AuditStoreCannotCommit_Returns503AndReleasesNoAnswer()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        var warmUp = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, warmUp.Status);

        // Another process holding the database's write lock is the realistic way a commit fails.
        await using (var blocker = new SqliteConnection($"Data Source={host.AuditDatabasePath}"))
        {
            await blocker.OpenAsync();
            await using var begin = blocker.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();

            var blocked = await client.PostChatAsync(ChatBody("summary", "Patient stable. Plan: discharge home."));

            Assert.Equal(503, blocked.Status);
            Assert.Equal("audit_unavailable", (string?)blocked.Json["error"]!["code"]);
            Assert.Null(blocked.Json["choices"]);
            Assert.Null(blocked.Header("X-XefAI-Audit-Id"));
            // A store that cannot commit is a transient refusal: clients and load balancers need to know when to retry.
            Assert.Equal("1", blocked.Header("Retry-After"));
            await using var rollback = blocker.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        var recovered = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, recovered.Status);
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var verification = await admin.GetFromJsonAsync<JsonObject>("/admin/audit/verify");
        Assert.True((bool)verification!["valid"]!);

        // The two answered calls, after the configuration recorded at start; the refused one left none.
        Assert.Equal(3, (long)verification["records"]!);
    }

    [Fact]
    public async Task Post_AuditDatabaseDeletedWhileRunning_Returns503AndTheGatewayIsNotReady()
    {
        // The writer keeps the deleted file open: without a check, every later answer would be acknowledged into a
        // trail that is gone when the process ends.
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."))).Status);

        foreach (var file in new[] { host.AuditDatabasePath, host.AuditDatabasePath + "-wal", host.AuditDatabasePath + "-shm" })
        {
            File.Delete(file);
        }

        for (var i = 0; i < 2; i++)
        {
            var refused = await client.PostChatAsync(ChatBody("summary", "Patient stable. Plan: discharge home."));
            Assert.Equal(503, refused.Status);
            Assert.Equal("audit_unavailable", (string?)refused.Json["error"]!["code"]);
            Assert.Null(refused.Json["choices"]);
        }

        using var probe = host.CreateClient(key: null);
        Assert.Equal(503, (int)(await probe.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.False(File.Exists(host.AuditDatabasePath), "no new, empty trail appears at the path");
    }

    [Fact]
    public async Task Verify_AfterCalls_ChainValidAndCountsEveryCall()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        using var anonymous = host.CreateClient(key: null);
        for (var i = 0; i < 5; i++)
        {
            await client.PostChatAsync(ChatBody("summary", $"Note {i}. Stable."));
        }

        await anonymous.PostChatAsync(ChatBody("summary", "x"));
        // The refusal is audited in aggregate once its minute closes; flushed at once here.
        await host.Services.GetRequiredService<Gateway.Security.AuthenticationFailures>().FlushAsync(all: true);
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var verification = await admin.GetFromJsonAsync<JsonObject>("/admin/audit/verify");
        var page = await admin.GetFromJsonAsync<JsonObject>("/admin/audit?useCase=summary&limit=10");

        Assert.True((bool)verification!["valid"]!);
        // Five calls, the refusals' aggregate and the configuration recorded at start.
        Assert.Equal(7, (long)verification["records"]!);
        // The unauthenticated call named a use case it could not prove it may use: recorded without one.
        Assert.Equal(5, page!["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Verify_RowAlteredInDatabase_NamesFirstBrokenRecord()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await client.PostChatAsync(ChatBody("summary", $"Note {i}. Stable."))).Header("X-XefAI-Audit-Id")!);
        }

        await using (var tamper = new SqliteConnection($"Data Source={host.AuditDatabasePath}"))
        {
            await tamper.OpenAsync();
            // The store's triggers refuse updates; someone with write access to the file can drop them.
            await using var dropGuards = tamper.CreateCommand();
            dropGuards.CommandText = "DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete;";
            await dropGuards.ExecuteNonQueryAsync();
            await using var update = tamper.CreateCommand();
            update.CommandText = "UPDATE audit_records SET output_sha256 = 'forged' WHERE id = $id";
            update.Parameters.AddWithValue("$id", ids[1]);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var verification = await admin.GetFromJsonAsync<JsonObject>("/admin/audit/verify");

        Assert.False((bool)verification!["valid"]!);
        Assert.Equal(ids[1], (string?)verification["firstBrokenRecord"]);
    }

    [Fact]
    public async Task VerbatimTier_AuditRecordHoldsExactInputAndOutputTextsAndUser()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        var body = """{"model":"summary","user":"clinician-42","messages":[{"role":"user","content":"Stable. Discharged home."}]}""";

        var call = await client.PostChatAsync(body);

        // summary is tier 2, which obliges a full input/output audit by default.
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(body, (string?)record["inputText"]);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(call.ResponseBody), (string?)record["outputText"]);
        Assert.Equal("clinician-42", (string?)record["user"]);
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        Assert.True((bool)(await admin.GetFromJsonAsync<JsonObject>("/admin/audit/verify"))!["valid"]!);
    }

    [Fact]
    public async Task MetadataTier_AuditRecordHoldsHashesOnly()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        // vendor-chat is tier 1: metadata audit, the texts stand only as their hashes.
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Null((string?)record["inputText"]);
        Assert.Null((string?)record["outputText"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
    }

    [Fact]
    public async Task VerbatimTier_StreamedAnswer_ClosingRecordHoldsAssembledOutput()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();

        var call = await client.PostChatAsync("""{"model":"summary","stream":true,"messages":[{"role":"user","content":"Admitted for cellulitis. Discharge plan: cephalexin for seven days."}]}""");

        var records = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        var output = JsonNode.Parse((string)records[^1]["outputText"]!)!;
        Assert.Contains("cephalexin", (string?)output["content"], StringComparison.Ordinal);
        Assert.Equal("stop", (string?)output["finish_reason"]);
    }

    [Fact]
    public async Task Readyz_StoreWritable_Returns200AndHealthzAlways200()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient(key: null);

        using var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        using var live = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Equal(200, (int)live.StatusCode);
    }
}

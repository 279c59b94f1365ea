using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Governance;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Incidents reported against calls, and the automatic suspension that repeated incidents trigger.</summary>
public sealed class IncidentTests
{
    private const string Note = "Stable overnight. Discharged home with follow-up in one week.";

    [Fact]
    public async Task Report_OwnCall_201ListedAndAuditedInCallTrail()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("summary", Note));

        var report = await client.PostJsonAsync("/v1/incidents", Incident(call.Header("X-XefAI-Audit-Id")!, "Summary omitted the allergy.", "high"));

        Assert.Equal(201, report.Status);
        var incident = report.Json["incident"]!;
        Assert.StartsWith("inc", (string?)incident["id"], StringComparison.Ordinal);
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)incident["auditId"]);
        Assert.Equal("summary", (string?)incident["useCaseId"]);
        Assert.Equal("app:test-app", (string?)incident["reporter"]);
        Assert.Equal("high", (string?)incident["severity"]);
        Assert.Null(report.Json["suspension"]);
        var listed = await admin.GetFromJsonAsync<JsonObject>("/admin/incidents?useCase=summary");
        Assert.Equal((string?)incident["id"], (string?)Assert.Single(listed!["data"]!.AsArray())!["id"]);
        var trail = await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(["answered", "incident-reported"], trail.Select(r => (string?)r["decision"]));
        Assert.Contains("severity:high;by:app:test-app", (string?)trail[1]["reasons"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_AnotherAppsCallOrUnknownCall_404()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        using var other = host.CreateClient(GatewayHost.OtherClientKey);
        var call = await client.PostChatAsync(ChatBody("summary", Note));

        var foreign = await other.PostJsonAsync("/v1/incidents", Incident(call.Header("X-XefAI-Audit-Id")!, "Not my call.", "low"));
        var unknown = await client.PostJsonAsync("/v1/incidents", Incident("aud_00000000000000000000000000", "No such call.", "low"));

        Assert.Equal(404, foreign.Status);
        Assert.Equal("unknown_audit_record", (string?)foreign.Json["error"]!["code"]);
        Assert.Equal(404, unknown.Status);
        Assert.Equal("unknown_audit_record", (string?)unknown.Json["error"]!["code"]);
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var listed = await admin.GetFromJsonAsync<JsonObject>("/admin/incidents");
        Assert.Empty(listed!["data"]!.AsArray());
    }

    [Theory]
    [InlineData(GatewayHost.ClientKey, """{"description":"no audit id"}""", 400, "invalid_request")]
    [InlineData(GatewayHost.ClientKey, """{"auditId":"AUDIT","description":"bad severity","severity":"urgent"}""", 400, "invalid_value")]
    [InlineData(GatewayHost.ClientKey, """{"auditId":"AUDIT","description":"numeric severity","severity":"2"}""", 400, "invalid_value")]
    [InlineData(GatewayHost.ClientKey, "{not json", 400, "invalid_request")]
    [InlineData(null, """{"auditId":"AUDIT","description":"anonymous"}""", 401, "invalid_api_key")]
    public async Task Report_BadRequest_RefusedWithCode(string? key, string body, int status, string code)
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        using var caller = host.CreateClient(key);
        var call = await client.PostChatAsync(ChatBody("summary", Note));

        var report = await caller.PostJsonAsync("/v1/incidents", body.Replace("AUDIT", call.Header("X-XefAI-Audit-Id"), StringComparison.Ordinal));

        Assert.Equal(status, report.Status);
        Assert.Equal(code, (string?)report.Json["error"]!["code"]);
    }

    [Fact]
    public async Task Report_ThirdIncident_UseCaseSuspendedAutomaticallyAndCallsRefused()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        var reports = new List<GatewayCall>();
        for (var i = 0; i < 3; i++)
        {
            var call = await client.PostChatAsync(ChatBody("summary", $"{Note} Visit {i}."));
            reports.Add(await client.PostJsonAsync("/v1/incidents", Incident(call.Header("X-XefAI-Audit-Id")!, $"Wrong dose in summary {i}.", "moderate")));
        }

        Assert.All(reports, r => Assert.Equal(201, r.Status));
        Assert.Null(reports[0].Json["suspension"]);
        Assert.Null(reports[1].Json["suspension"]);
        var suspension = reports[2].Json["suspension"]!;
        Assert.Equal("suspended", (string?)suspension["to"]);
        Assert.Equal("system", (string?)suspension["actor"]);
        var refused = await client.PostChatAsync(ChatBody("summary", Note));
        Assert.Equal(403, refused.Status);
        Assert.Equal("use_case_suspended", (string?)refused.Json["error"]!["code"]);
        Assert.Contains("3 incidents", (string?)refused.Json["error"]!["message"], StringComparison.Ordinal);
        var last = (await host.GetAuditRecordsAsync("summary")).First(r => (string?)r["decision"] == "incident-reported");
        Assert.EndsWith(";use_case_suspended", (string?)last["reasons"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_AfterResume_OnlyNewIncidentsCount()
    {
        await using var host = await GatewayHost.StartAsync(c =>
            c["Governance"]!["Incidents"] = new JsonObject { ["SuspendAfter"] = 2 });
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("summary", Note));
        var auditId = call.Header("X-XefAI-Audit-Id")!;
        await client.PostJsonAsync("/v1/incidents", Incident(auditId, "First.", "low"));
        Assert.NotNull((await client.PostJsonAsync("/v1/incidents", Incident(auditId, "Second.", "low"))).Json["suspension"]);
        Assert.Equal(200, (await admin.PostReasonAsync("/admin/use-cases/summary/resume", "Reviewed both incidents")).Status);

        var afterResume = await client.PostJsonAsync("/v1/incidents", Incident(auditId, "Third.", "low"));

        Assert.Equal(201, afterResume.Status);
        Assert.Null(afterResume.Json["suspension"]);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", Note))).Status);
    }

    [Fact]
    public async Task Report_ByAdminOnAnyCall_201WithAdminReporter()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("summary", Note));

        var report = await admin.PostJsonAsync("/admin/incidents", Incident(call.Header("X-XefAI-Audit-Id")!, "Found in chart audit.", "critical"));

        Assert.Equal(201, report.Status);
        Assert.Equal("admin:test-admin", (string?)report.Json["incident"]!["reporter"]);
        Assert.Equal("critical", (string?)report.Json["incident"]!["severity"]);
    }

    [Fact]
    public async Task Report_AsAppWhileTheAuditStoreCannotBeRead_503WithRetryAfterNotA500()
    {
        // Found against a running gateway on PostgreSQL with SELECT on audit_records revoked: the admin route answered
        // 503 store_unavailable, the app's route a 500 with a stack trace in the log.
        var audit = new UnreadableAuditTrail();
        await using var host = await GatewayHost.StartAsync(builder: b => b.Services.AddSingleton<IAuditTrail>(audit));
        using var client = host.CreateClient();
        var call = await client.PostChatAsync(ChatBody("summary", Note));
        Assert.Equal(200, call.Status);
        audit.ReadsFail = true;

        using var response = await client.PostAsync(
            new Uri("/v1/incidents", UriKind.Relative),
            new StringContent(Incident(call.Header("X-XefAI-Audit-Id")!, "Summary omitted the allergy.", "high"), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("store_unavailable", (string?)error["code"]);
        Assert.Equal("server_error", (string?)error["type"]);
    }

    [Fact]
    public async Task Report_WhileTheStoreFailsNamingAFilePath_TheLogSaysTheTypeNotThePath()
    {
        // A database moved under the gateway: the driver's message names the file, which the log must not repeat.
        var audit = new UnreadableAuditTrail();
        using var logs = new FakeLoggerProvider();
        await using var host = await GatewayHost.StartAsync(builder: b =>
        {
            b.Services.AddSingleton<IAuditTrail>(audit);
            b.Logging.AddProvider(logs);
        });
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("summary", Note));
        audit.ReadsFail = true;

        var report = await client.PostJsonAsync("/v1/incidents", Incident(call.Header("X-XefAI-Audit-Id")!, "Summary omitted the allergy.", "high"));
        var read = await admin.GetCallAsync("/admin/audit");

        Assert.Equal((503, 503), (report.Status, read.Status));
        var lines = logs.Collector.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).ToList();
        Assert.Contains(lines, r => r.Message.StartsWith("POST /v1/incidents", StringComparison.Ordinal) && r.Message.Contains(nameof(PermissionDenied), StringComparison.Ordinal));
        Assert.Contains(lines, r => r.Message.Contains("found the audit or governance store unavailable", StringComparison.Ordinal));
        Assert.All(lines, r =>
        {
            Assert.DoesNotContain(PermissionDenied.Path, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(PermissionDenied.Path, r.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
        });
    }

    /// <summary>An audit trail in memory whose reads fail once told to, as a store the gateway's role may no longer read.</summary>
    private sealed class UnreadableAuditTrail : IAuditTrail
    {
        private readonly List<AuditRecord> _records = [];
        private readonly Lock _gate = new();

        public bool ReadsFail { get; set; }

        public string StoreKind => "memory";

        public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                var record = new AuditRecord($"aud-{_records.Count + 1}", _records.Count + 1, entry, "prev", "hash");
                _records.Add(record);
                return ValueTask.FromResult(record);
            }
        }

        public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
        {
            ThrowIfUnreadable();
            lock (_gate)
            {
                return ValueTask.FromResult<IReadOnlyList<AuditRecord>>([.. _records]);
            }
        }

        public ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken)
        {
            ThrowIfUnreadable();
            lock (_gate)
            {
                return ValueTask.FromResult(_records.FirstOrDefault(r => r.Id == id));
            }
        }

        public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new AuditChainVerification(true, _records.Count));

        public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

        private void ThrowIfUnreadable()
        {
            if (ReadsFail)
            {
                throw new PermissionDenied();
            }
        }
    }

    private sealed class PermissionDenied() : System.Data.Common.DbException($"42501: permission denied for table audit_records; unable to open {Path}")
    {
        public const string Path = "/var/lib/xefai/moved-away/audit.db";
    }

    private static string Incident(string auditId, string description, string severity) =>
        new JsonObject { ["auditId"] = auditId, ["description"] = description, ["severity"] = severity }.ToJsonString();
}

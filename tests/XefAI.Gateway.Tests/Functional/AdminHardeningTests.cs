using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Governance;
using XefAI.Testing;
using R4 = Hl7.Fhir.Model;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The governance API refuses what it does not understand, exactly and on the record: bad search values,
/// inexact action names, malformed bodies. Free text an admin writes stays out of the logs.
/// </summary>
public sealed class AdminHardeningTests(AdminHardeningTests.AdminGateway fixture) : IClassFixture<AdminHardeningTests.AdminGateway>
{
    private const string FhirJson = "application/fhir+json";
    private const string Phi = "Patient John Smith MRN 123";

    [Theory]
    [InlineData("date=a")]
    [InlineData("date=g")]
    [InlineData("date=le9999-12-31")]
    [InlineData("date=gt9999-12-31T23:59:59.9999999Z")]
    [InlineData("date=9999")]
    [InlineData("date=eq9999-12")]
    [InlineData("date=ge0001-01-01T00:00:00%2B01:00")]
    [InlineData("date=2026-11-22T10:00:00")]
    [InlineData("date=2026-02-30")]
    [InlineData("date=ge2026-11-22T24:00:00Z")]
    [InlineData("date=ne2026")]
    [InlineData("date=ap2026")]
    [InlineData("date=")]
    [InlineData("date:missing=true")]
    [InlineData("_count=99999999999")]
    [InlineData("_count=10&_count=20")]
    [InlineData("patient=pp-a&patient=pp-b")]
    [InlineData("patient=")]
    [InlineData("patinet=Patient/123")]
    [InlineData("_format=xml")]
    public async Task SearchAuditEvents_BadParameter_400OperationOutcomeAudited(string query)
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var search = await admin.GetCallAsync($"/fhir/AuditEvent?{query}");

        Assert.Equal(400, search.Status);
        Assert.Equal(FhirJson, search.Response.Content.Headers.ContentType?.MediaType);
        var outcome = FhirR4Validation.ParseValid<R4.OperationOutcome>(Encoding.UTF8.GetString(search.ResponseBody));
        Assert.False(string.IsNullOrWhiteSpace(Assert.Single(outcome.Issue).Diagnostics));
        var refusal = (await fixture.Host.GetAuditRecordsAsync())[0];
        Assert.Equal("admin-refused", (string?)refusal["decision"]);
        Assert.Equal(400, (int?)refusal["statusCode"]);
        Assert.StartsWith("fhir_", (string?)refusal["reasons"], StringComparison.Ordinal);
        Assert.DoesNotContain("123", (string?)refusal["reasons"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAuditEvents_PartialDatesAndPrefixes_MatchTheWholePeriod()
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var audit = fixture.Host.Services.GetRequiredService<IAuditTrail>();
        var record = await audit.AppendAsync(
            new AuditEntry { Timestamp = new DateTimeOffset(2024, 2, 29, 23, 30, 0, TimeSpan.Zero), TraceId = "leap", Decision = "answered", StatusCode = 200, LatencyMs = 1 },
            CancellationToken.None);

        async Task<bool> FindsAsync(string date)
        {
            var search = await admin.GetCallAsync($"/fhir/AuditEvent?date={date}&_count=1000");
            Assert.Equal(200, search.Status);
            var bundle = FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString(search.ResponseBody));
            return bundle.Entry.Any(e => e.Resource!.Id == record.Id.Replace('_', '-'));
        }

        Assert.True(await FindsAsync("2024"));
        Assert.True(await FindsAsync("2024-02"));
        Assert.True(await FindsAsync("eq2024-02-29"));
        Assert.True(await FindsAsync("2024-02-29T23:30Z"));
        Assert.True(await FindsAsync("2024-03-01T00:30:00%2B01:00"));
        Assert.True(await FindsAsync("le2024-02"));
        Assert.True(await FindsAsync("ge2024-02-29T23:30:00Z"));
        Assert.True(await FindsAsync("sa2024-02-28"));
        Assert.True(await FindsAsync("eb2024-03"));
        Assert.False(await FindsAsync("gt2024"));
        Assert.False(await FindsAsync("lt2024-02-29T23:30:00Z"));
        Assert.False(await FindsAsync("2024-03"));
        Assert.False(await FindsAsync("eb2024-02"));
        Assert.False(await FindsAsync("ge0001-01-01T00:00:00Z&date=lt2024-02-29"));
    }

    [Theory]
    [InlineData("from=9999-12-31")]
    [InlineData("to=9999-12-31T23:59:59.9999999Z")]
    [InlineData("from=0001-01-01T00:00:00%2B01:00")]
    [InlineData("from=yesterday")]
    [InlineData("to=12/11/2026")]
    [InlineData("from=2026")]
    [InlineData("limit=0")]
    [InlineData("limit=1&limit=2")]
    [InlineData("usecase=summary")]
    public async Task QueryAudit_BadParameter_400WithoutTypeNamesAudited(string query)
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.GetCallAsync($"/admin/audit?{query}");

        Assert.Equal(400, call.Status);
        Assert.Equal("invalid_value", (string?)call.Json["error"]!["code"]);
        AssertNoTypeNames(call);
        var refusal = (await fixture.Host.GetAuditRecordsAsync())[0];
        Assert.Equal("admin-refused", (string?)refusal["decision"]);
        Assert.Equal(400, (int?)refusal["statusCode"]);
    }

    [Theory]
    [InlineData("from=9999-12-31", "reaches past the last instant the audit trail can search")]
    [InlineData("from=0001-01-01T00:00:00%2B01:00", "begins before the first instant the audit trail can search")]
    public async Task QueryAudit_TimeAtTheEdgeOfTheSearchableRange_SaysWhichEdge(string query, string says)
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.GetCallAsync($"/admin/audit?{query}");

        Assert.Equal(400, call.Status);
        Assert.Contains(says, (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/fhir/Provenance?date=a")]
    [InlineData("/fhir/Patient/123")]
    public async Task Fhir_UnsupportedInteraction_404OperationOutcomeAudited(string url)
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.GetCallAsync(url);

        Assert.Equal(404, call.Status);
        Assert.Equal(FhirJson, call.Response.Content.Headers.ContentType?.MediaType);
        FhirR4Validation.ParseValid<R4.OperationOutcome>(Encoding.UTF8.GetString(call.ResponseBody));
        var refusal = (await fixture.Host.GetAuditRecordsAsync())[0];
        Assert.Equal("admin-refused", (string?)refusal["decision"]);
        Assert.DoesNotContain("123", (string?)refusal["reasons"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("use-cases/summary/retire,approve")]
    [InlineData("use-cases/summary/Retire")]
    [InlineData("use-cases/summary/SUSPEND")]
    [InlineData("use-cases/summary/suspend%20")]
    [InlineData("use-cases/summary/%20suspend")]
    [InlineData("use-cases/summary/4")]
    [InlineData("deployments/local/Suspend")]
    [InlineData("deployments/local/suspend,resume")]
    [InlineData("deployments/local/suspend%20")]
    public async Task AdminAction_InexactActionName_404NothingChangedAttemptAudited(string path)
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.PostReasonAsync($"/admin/{path}", "Inexact action");

        Assert.Equal(404, call.Status);
        Assert.Equal("unknown_action", (string?)call.Json["error"]!["code"]);
        var useCases = (await admin.GetCallAsync("/admin/use-cases")).Json["data"]!.AsArray();
        Assert.Equal("active", (string?)useCases.Single(u => (string?)u!["id"] == "summary")!["status"]);
        Assert.Empty((await admin.GetCallAsync("/admin/deployments/suspended")).Json["data"]!.AsArray());
        var refusal = (await fixture.Host.GetAuditRecordsAsync())[0];
        Assert.Equal("admin-refused", (string?)refusal["decision"]);
        Assert.Equal(404, (int?)refusal["statusCode"]);
        Assert.StartsWith("unknown_action;", (string?)refusal["reasons"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/admin/use-cases/summary/suspend", """{"reason": 5}""")]
    [InlineData("/admin/use-cases/summary/suspend", """["reason"]""")]
    [InlineData("/admin/use-cases/summary/suspend", "\"suspend\"")]
    [InlineData("/admin/use-cases/summary/suspend", """{"reason": """)]
    [InlineData("/admin/deployments/local/suspend", """{"reason": {"text": "x"}}""")]
    [InlineData("/admin/incidents", """{"auditId": 7, "description": "x"}""")]
    [InlineData("/admin/incidents", """{"auditId": "aud_1", "description": "x", "severity": "1"}""")]
    [InlineData("/admin/reviews/rev_unknown/approve", """{"comment": 3}""")]
    [InlineData("/admin/reviews/rev_unknown/approve", """{"comment": """)]
    public async Task AdminBody_Malformed_400NamingTheFieldNotATypeAudited(string path, string body)
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.PostJsonAsync(path, body);

        Assert.Equal(400, call.Status);
        AssertNoTypeNames(call);
        var refusal = (await fixture.Host.GetAuditRecordsAsync())[0];
        Assert.EndsWith("-refused", (string?)refusal["decision"], StringComparison.Ordinal);
        Assert.Equal(400, (int?)refusal["statusCode"]);
        var useCases = (await admin.GetCallAsync("/admin/use-cases")).Json["data"]!.AsArray();
        Assert.Equal("active", (string?)useCases.Single(u => (string?)u!["id"] == "summary")!["status"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AdminBody_OverTheLimit_400NothingChangedAudited(bool chunked)
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var body = Encoding.UTF8.GetBytes("{\"reason\": \"" + new string('r', 3 * 1024 * 1024) + "\"}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/use-cases/summary/suspend")
        {
            // A stream of unknown length goes out chunked: no Content-Length for the gateway to check first.
            Content = chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await admin.SendAsync(request);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("over 64 KB", (string?)answer["error"]!["message"], StringComparison.Ordinal);
        var refusal = (await fixture.Host.GetAuditRecordsAsync())[0];
        Assert.Equal("admin-refused", (string?)refusal["decision"]);
        Assert.True(((string?)refusal["reasons"])!.Length < 1024);
        var useCases = (await admin.GetCallAsync("/admin/use-cases")).Json["data"]!.AsArray();
        Assert.Equal("active", (string?)useCases.Single(u => (string?)u!["id"] == "summary")!["status"]);
    }

    [Fact]
    public async Task AdminBody_Gzipped_400SaysTheContentEncodingNothingChanged()
    {
        // Found against a running gateway: a gzipped body was refused as "not valid JSON (line 1, byte 1)".
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        using var compressed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes("{\"reason\": \"compressed\"}"));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/use-cases/summary/suspend") { Content = new ByteArrayContent(compressed.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content.Headers.ContentEncoding.Add("gzip");

        using var response = await admin.SendAsync(request);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("Content-Encoding", (string?)answer["error"]!["message"], StringComparison.Ordinal);
        var useCases = (await admin.GetCallAsync("/admin/use-cases")).Json["data"]!.AsArray();
        Assert.Equal("active", (string?)useCases.Single(u => (string?)u!["id"] == "summary")!["status"]);
    }

    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task AdminFreeText_ReasonsAndDescriptions_NeverLoggedAuditIdsAre()
    {
        await using var host = await GatewayHost.StartAsync(c => c["Logging"]!["LogLevel"]!["Default"] = "Information");
        using var logs = new FakeLoggerProvider();
        host.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(GatewayCalls.ChatBody("summary", "Stable overnight."));

        Assert.Equal(201, (await admin.PostJsonAsync("/admin/incidents", new JsonObject
        {
            ["auditId"] = call.Header("X-XefAI-Audit-Id"),
            ["description"] = Phi,
            ["severity"] = "low",
        }.ToJsonString())).Status);
        Assert.Equal(200, (await admin.PostReasonAsync("/admin/deployments/local/suspend", Phi)).Status);
        Assert.Equal(200, (await admin.PostReasonAsync("/admin/deployments/local/resume", Phi)).Status);
        Assert.Equal(200, (await admin.PostReasonAsync("/admin/use-cases/summary/suspend", Phi)).Status);
        Assert.Equal(200, (await admin.PostReasonAsync("/admin/use-cases/summary/resume", Phi)).Status);

        var lines = logs.Collector.GetSnapshot().Select(r => r.Message + " " + string.Join(' ', r.StructuredState?.Select(s => s.Value) ?? [])).ToList();
        Assert.DoesNotContain(lines, l => l.Contains("John Smith", StringComparison.Ordinal) || l.Contains("MRN", StringComparison.Ordinal));
        var suspendRecord = (await host.GetAuditRecordsAsync("summary")).First(r => (string?)r["decision"] == "use-case-suspend");
        Assert.Contains(lines, l => l.Contains((string)suspendRecord["id"]!, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("went from active to suspended", StringComparison.Ordinal));
    }

    private static void AssertNoTypeNames(GatewayCall call)
    {
        var body = Encoding.UTF8.GetString(call.ResponseBody);
        Assert.DoesNotContain("XefAI.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", body, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"[A-Za-z]\+[A-Z]", body);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    public sealed class AdminGateway : IAsyncLifetime
    {
        public GatewayHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await GatewayHost.StartAsync();

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}

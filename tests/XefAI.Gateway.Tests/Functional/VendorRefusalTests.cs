using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A vendor's refusal reaches the client as what it is: a request the vendor rejected is the client's 4xx,
/// a rate limit is a 429 to back off from. Neither is retried into the ground nor counts against the use case.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class VendorRefusalTests
{
    private const string VendorBadRequest = """{"error":{"message":"Invalid type for 'seed': expected an integer, but got a decimal number instead. Patient John Smith.","type":"invalid_request_error","param":"seed","code":"invalid_type"}}""";

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(413)]
    [InlineData(422)]
    public async Task Forward_VendorRejectsRequest_ClientGetsSame4xxWithoutRetryOrFallback(int status)
    {
        using var vendor = new FakeVendor().AnswersWith(status, VendorBadRequest);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 2);
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local");
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(status, call.Status);
        var error = call.Json["error"]!;
        Assert.Equal("vendor_rejected_request", (string?)error["code"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Contains("code: invalid_type", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("param: seed", (string?)error["message"], StringComparison.Ordinal);

        // The vendor's free-text message may echo the prompt: it never reaches the client.
        Assert.DoesNotContain("John Smith", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(1, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["vendor_rejected_request"], record.AttemptOutcomes());
        Assert.Equal("denied", (string?)record["decision"]);
    }

    [Theory]
    [InlineData(401, 502, "vendor_auth_failed", "false")]
    [InlineData(403, 502, "vendor_auth_failed", "false")]
    [InlineData(409, 502, "vendor_rejected_request", "false")]
    [InlineData(500, 502, "vendor_error", null)]
    [InlineData(400, 400, "vendor_rejected_request", null)]
    public async Task Forward_VendorFails_TheSdksAreToldNotToRetryOnlyWhatARetryCannotFix(int vendorStatus, int status, string code, string? shouldRetry)
    {
        // The official SDKs retry 5xx three times unless told not to; each retry is another audited call that fails alike.
        using var vendor = new FakeVendor().AnswersWith(vendorStatus, VendorBadRequest);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 0);
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(status, call.Status);
        Assert.Equal(code, (string?)call.Json["error"]!["code"]);
        Assert.Equal(shouldRetry, call.Header("x-should-retry"));
    }

    [Fact]
    public async Task Forward_OneAppsBadRequests_NeverSuspendTheSharedUseCase()
    {
        using var vendor = new FakeVendor().AnswersWith(400, VendorBadRequest);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c["Governance"]!["ErrorRate"] = new JsonObject { ["Threshold"] = 0.5, ["MinimumCalls"] = 5, ["Window"] = "00:05:00" };
        }));
        using var client = host.CreateClient();

        for (var i = 0; i < 25; i++)
        {
            var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
            Assert.Equal(400, call.Status);
        }

        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var useCases = JsonNode.Parse(await admin.GetStringAsync(new Uri("/admin/use-cases", UriKind.Relative)))!["data"]!.AsArray();
        Assert.Equal("active", (string?)useCases.Single(u => (string?)u!["id"] == "vendor-chat")!["status"]);
    }

    [Fact]
    public async Task Forward_VendorDownAndItsCircuitOpen_NeverSuspendsTheUseCase()
    {
        // Fault round 28: during a vendor outage, circuit_open answers counted as the use case's failures and suspended it;
        // 114,394 calls were refused 403 after the vendor was back, until a person resumed the use case.
        int closedPort;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }

        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            c["ReverseProxy"]!["Clusters"]!["vendor"]!["Destinations"]!["primary"]!["Address"] = $"http://127.0.0.1:{closedPort}/v1";
            c.Resilience(maxRetries: 0, breakerMinimumThroughput: 2);
            c["Governance"]!["ErrorRate"] = new JsonObject { ["Threshold"] = 0.5, ["MinimumCalls"] = 5, ["Window"] = "00:05:00" };
        }));
        using var client = host.CreateClient();

        var codes = new List<string?>();
        for (var i = 0; i < 25; i++)
        {
            var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
            Assert.True(call.Status is 502 or 503, $"call {i} answered {call.Status}");
            codes.Add((string?)call.Json["error"]!["code"]);
        }

        Assert.Contains("vendor_unreachable", codes);
        Assert.Contains("circuit_open", codes);
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var useCases = JsonNode.Parse(await admin.GetStringAsync(new Uri("/admin/use-cases", UriKind.Relative)))!["data"]!.AsArray();
        Assert.Equal("active", (string?)useCases.Single(u => (string?)u!["id"] == "vendor-chat")!["status"]);
    }

    [Fact]
    public async Task Forward_EveryAttemptRateLimited_Returns429WithRetryAfter()
    {
        using var vendor = new FakeVendor().FailsThenRecovers(failures: 100, status: 429, retryAfter: "7");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 0);
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(429, call.Status);
        Assert.Equal("vendor_rate_limited", (string?)call.Json["error"]!["code"]);
        Assert.Equal("rate_limit_error", (string?)call.Json["error"]!["type"]);
        Assert.Equal("7", call.Response.Headers.RetryAfter?.ToString());
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(429, (int?)record["statusCode"]);
    }

    [Fact]
    public async Task Forward_VendorRetryAfterOfADay_IsRelayedNoLongerThanACircuitsBreak()
    {
        // Hostile round 28: a vendor's Retry-After of 99999 s reached the client, which an SDK honours to the letter.
        using var vendor = new FakeVendor().FailsThenRecovers(failures: 100, status: 429, retryAfter: "99999");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 0);
            c["Gateway"]!["Resilience"]!["BreakerBreakDuration"] = "00:00:45";
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(429, call.Status);
        Assert.Equal("vendor_rate_limited", (string?)call.Json["error"]!["code"]);
        Assert.Equal("45", call.Response.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task Forward_RateLimitedWithoutRetryAfter_StillTellsTheClientToWait()
    {
        using var vendor = new FakeVendor().FailsThenRecovers(failures: 100, status: 429);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 1);
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(429, call.Status);
        Assert.NotNull(call.Response.Headers.RetryAfter);
        Assert.Equal(2, vendor.CallCount);
    }

    [Fact]
    public async Task Forward_FailedAtVendor_MetricsNameTheDeploymentTried()
    {
        using var vendor = new FakeVendor().FailsThenRecovers(failures: 100, status: 503);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 2);
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(502, call.Status);
        Assert.Equal(3, vendor.CallCount);
        using var scraper = host.CreateClient(key: null);
        var metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = metrics.Split('\n').Single(l => l.StartsWith("xefai_requests_total{", StringComparison.Ordinal) && l.Contains("use_case=\"vendor-chat\"", StringComparison.Ordinal)
            && l.Contains("status_code=\"502\"", StringComparison.Ordinal));
        Assert.Contains("provider=\"openai\"", line, StringComparison.Ordinal);
        Assert.Contains("deployment=\"vendor\"", line, StringComparison.Ordinal);
        Assert.Contains("outcome=\"failed\"", line, StringComparison.Ordinal);
        Assert.Contains("error_type=\"vendor_error\"", metrics, StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Retries, timeouts, circuit breaking and fallback, against a WireMock vendor that misbehaves on cue.</summary>
public sealed class ResilienceTests
{
    [Fact]
    public async Task Forward_VendorFailsOnceWith500_RetriesAndAnswersRecordingBothAttempts()
    {
        using var vendor = new FakeVendor().FailsThenRecovers(failures: 1, status: 500);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => { vendor.Configure(c); c.Resilience(maxRetries: 2); }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(200, call.Status);
        Assert.Equal(2, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["vendor_error", "answered"], record.AttemptOutcomes());
        Assert.Equal(500, (int?)record["attempts"]![0]!["statusCode"]);
        Assert.Equal("vendor/primary", (string?)record["attempts"]![0]!["destination"]);
    }

    [Fact]
    public async Task Metrics_AfterARetry_CountItOnceAndExportHttpClientsOwnMeter()
    {
        using var vendor = new FakeVendor().FailsThenRecovers(failures: 1, status: 500);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => { vendor.Configure(c); c.Resilience(maxRetries: 2); }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(200, call.Status);
        using var scraper = host.CreateClient(key: null);
        var metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var retry = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("xefai_retries_total{", StringComparison.Ordinal)
            && l.Contains("reason=\"vendor_error\"", StringComparison.Ordinal));
        Assert.True(retry is not null, "the retry is not counted");
        Assert.Contains("destination=\"vendor/primary\"", retry, StringComparison.Ordinal);
        Assert.Contains("http_client_request_duration_seconds_bucket{", metrics, StringComparison.Ordinal);

        // Polly's pipelines carry no telemetry: its wrapper timed and tagged every call to repeat these counts.
        Assert.DoesNotContain("resilience_polly_", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_VendorAnswers429WithRetryAfter_WaitsAsToldThenRetries()
    {
        using var vendor = new FakeVendor().FailsThenRecovers(failures: 1, status: 429, retryAfter: "1");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => { vendor.Configure(c); c.Resilience(maxRetries: 1); }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(200, call.Status);
        var times = vendor.RequestTimes;
        Assert.Equal(2, times.Count);
        // The backoff alone is 50 ms; only honouring Retry-After explains a second's wait.
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(900), $"retried after {(times[1] - times[0]).TotalMilliseconds} ms");
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["vendor_rate_limited", "answered"], record.AttemptOutcomes());
    }

    [Fact]
    public async Task Forward_VendorSlowerThanAttemptTimeout_FallsBackToNextProvider()
    {
        using var vendor = new FakeVendor().AnswersSlowly(TimeSpan.FromSeconds(5));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 0, attemptTimeout: "00:00:00.300");
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local");
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Patient stable. Plan: discharge home tomorrow."));

        Assert.Equal(200, call.Status);
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["vendor_timeout", "answered"], record.AttemptOutcomes());
        Assert.Equal("local", (string?)record["deployment"]);
        using var scraper = host.CreateClient(key: null);
        var metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("xefai_fallbacks_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("reason=\"vendor_timeout\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_PrimaryUnreachable_RetriesThenFallsBackToSecondVendor()
    {
        using var second = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            c.Resilience(maxRetries: 1);
            second.Configure(c, "backup");
            c["Models"]!["Deployments"]!["backup"] = new JsonObject { ["Kind"] = "openai", ["Cluster"] = "backup", ["Model"] = "gpt-4o-mini" };
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "backup");
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(200, call.Status);
        Assert.Equal("backup", call.Header("X-XefAI-Provider"));
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["vendor_unreachable", "vendor_unreachable", "answered"], record.AttemptOutcomes());
    }

    [Fact]
    public async Task Forward_VendorKeepsFailing_CircuitOpensAndVendorIsNoLongerCalled()
    {
        using var vendor = new FakeVendor().AnswersWith(500, """{"error":{"type":"server_error"}}""");
        await using var host = await StartWithQuickBreakerAsync(vendor, c => c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local"));
        using var client = host.CreateClient();

        var statuses = new List<int>();
        GatewayCall? last = null;
        for (var i = 0; i < 5; i++)
        {
            last = await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharge home."));
            statuses.Add(last.Status);
        }

        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(2, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(last!.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["circuit_open", "answered"], record.AttemptOutcomes());
    }

    [Fact]
    public async Task Forward_EveryCircuitOpen_503TellsTheClientWhenTheBreakEnds()
    {
        using var vendor = new FakeVendor().AnswersWith(500, """{"error":{"type":"server_error"}}""");
        await using var host = await StartWithQuickBreakerAsync(vendor, c => c["Gateway"]!["Resilience"]!["BreakerBreakDuration"] = "00:01:00");
        using var client = host.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(502, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
        }

        var refused = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(503, refused.Status);
        Assert.Equal("circuit_open", (string?)refused.Json["error"]!["code"]);
        var retryAfter = int.Parse(refused.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);

        // A retry can pass once the break ends: the SDKs are not told otherwise.
        Assert.Null(refused.Header("x-should-retry"));
    }

    [Fact]
    public async Task Forward_EveryDeploymentsCircuitOpen_RetryAfterIsTheSoonestReopening()
    {
        // The first deployment's circuit opens, 40 s of its minute's break pass, then the second's opens: the last deployment
        // tried has a whole break left, the first 20 s, and a retry can be served as soon as the first half-opens.
        using var vendor = new FakeVendor().AnswersWith(500, """{"error":{"type":"server_error"}}""");
        using var backup = new FakeVendor().AnswersWithExample();
        var time = new ShiftedTime();
        await using var host = await GatewayHost.StartAsync(
            CoveredVendors.WithBaa(c =>
            {
                vendor.Configure(c);
                backup.Configure(c, "backup");
                c.Resilience(maxRetries: 0, breakerMinimumThroughput: 2);
                c["Gateway"]!["Resilience"]!["BreakerBreakDuration"] = "00:01:00";
                c["Models"]!["Deployments"]!["backup"] = new JsonObject { ["Kind"] = "openai", ["Cluster"] = "backup", ["Model"] = "gpt-4o-mini" };
                c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "backup");
            }),
            builder: b => b.Services.AddSingleton<TimeProvider>(time));
        using var client = host.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("backup", (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Header("X-XefAI-Provider"));
        }

        time.Advance(TimeSpan.FromSeconds(40));
        backup.AnswersWith(500, """{"error":{"type":"server_error"}}""");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(502, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
        }

        var refused = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(503, refused.Status);
        Assert.Equal("circuit_open", (string?)refused.Json["error"]!["code"]);
        var record = await host.GetAuditRecordAsync(refused.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["circuit_open", "circuit_open"], record.AttemptOutcomes());

        // Both deployments were found open, and the message says so; it names neither cluster (the operator's names).
        var message = (string)refused.Json["error"]!["message"]!;
        Assert.StartsWith("All 2 model deployments tried are unavailable", message, StringComparison.Ordinal);
        Assert.DoesNotContain("backup", message, StringComparison.Ordinal);
        Assert.DoesNotContain("vendor", message, StringComparison.Ordinal);
        var retryAfter = int.Parse(refused.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 30);
    }

    /// <summary>The system's clock, moved forward on cue: the breakers read it, and their break ends by it.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        private long _offsetTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

        public override long GetTimestamp() =>
            TimeProvider.System.GetTimestamp() + (long)(Interlocked.Read(ref _offsetTicks) * (TimeProvider.System.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
    }

    [Fact]
    public async Task Forward_VendorRecoversAfterTheBreak_TheNextCallIsTheTrialAndIsAnswered()
    {
        // A vendor with one destination: were its open circuit left out of the choice of destination, no call could be
        // the trial that closes it, and the vendor would be refused until a restart however long it had been well.
        using var vendor = new FakeVendor().AnswersWith(500, """{"error":{"type":"server_error"}}""");
        await using var host = await StartWithQuickBreakerAsync(vendor, c => c["Gateway"]!["Resilience"]!["BreakerBreakDuration"] = "00:00:01");
        using var client = host.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(502, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
        }

        var refused = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        Assert.Equal(503, refused.Status);
        Assert.Equal("circuit_open", (string?)refused.Json["error"]!["code"]);
        Assert.Equal(2, vendor.CallCount);

        vendor.AnswersWithExample();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var trial = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        var after = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(200, trial.Status);
        Assert.Equal(200, after.Status);
        Assert.Equal(4, vendor.CallCount);
    }

    /// <summary>A gateway whose breaker opens after two failed attempts, none retried, in front of <paramref name="vendor"/>.</summary>
    private static Task<GatewayHost> StartWithQuickBreakerAsync(FakeVendor vendor, Action<JsonObject> configure) =>
        GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 0, breakerMinimumThroughput: 2);
            configure(c);
        }));

    [Fact]
    public async Task Forward_EveryAttemptFails_Returns502AndAuditListsEachAttempt()
    {
        using var vendor = new FakeVendor().AnswersWith(503, """{"error":{"type":"server_error","code":"overloaded"}}""");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => { vendor.Configure(c); c.Resilience(maxRetries: 2); }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(502, call.Status);
        Assert.Equal("vendor_error", (string?)call.Json["error"]!["code"]);
        Assert.Contains("503", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(3, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["vendor_error", "vendor_error", "vendor_error"], record.AttemptOutcomes());
        Assert.Equal("failed", (string?)record["decision"]);
    }

    [Fact]
    public async Task Forward_VendorAnswersEmptyBody_Returns502SayingSoWithoutRetrying()
    {
        using var vendor = new FakeVendor().Faults(WireMock.ResponseBuilders.FaultType.EMPTY_RESPONSE);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => { vendor.Configure(c); c.Resilience(maxRetries: 1); }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(502, call.Status);
        Assert.Equal("vendor_invalid_response", (string?)call.Json["error"]!["code"]);
        Assert.Contains("deployment 'vendor'", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Contains("empty body", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(1, vendor.CallCount);
    }

    [Fact]
    public async Task Forward_VendorBodyCutMidway_Returns502SayingNotJson()
    {
        using var vendor = new FakeVendor().Faults(WireMock.ResponseBuilders.FaultType.MALFORMED_RESPONSE_CHUNK);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => { vendor.Configure(c); c.Resilience(maxRetries: 1); }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

        Assert.Equal(502, call.Status);
        Assert.Equal("vendor_invalid_response", (string?)call.Json["error"]!["code"]);
        Assert.Contains("deployment 'vendor'", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Contains("not JSON", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", call.Json.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_GarbageBodyWithFallbackConfigured_FallsBackInsteadOf502()
    {
        using var vendor = new FakeVendor().AnswersWith(200, "{\"choices\": \"truncat");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local");
        }));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharge home."));

        Assert.Equal(200, call.Status);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["vendor_invalid_response", "answered"], record.AttemptOutcomes());
    }
}

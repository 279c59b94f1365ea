using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Security;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Issue 7, item 2: traffic without a valid key cannot fill the audit store, yet every refusal stays visible in
/// the audit trail (aggregated per address, minute, route and kind) and in a metric, and a flood from one
/// address is slowed with 429 while valid keys from that address are not.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class UnauthenticatedTrafficTests
{
    private const int Requests = 10_000;

    // Kestrel's request line holds 8 KB; this is as long a path as fits in it.
    private static readonly string LongSegment = new('a', 8_000);

    [Fact]
    public async Task KeylessFlood_TenThousandRequestsWith8KbPaths_AddsUnderOneMegabyteAndEveryRefusalCounted()
    {
        await using var host = await GatewayHost.StartAsync();
        var before = AuditStoreBytes(host);
        var addresses = new[] { "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4" };
        var clients = addresses.Select(a => ClientFrom(host, IPAddress.Parse(a))).ToArray();
        var statuses = new int[Requests];
        try
        {
            await Parallel.ForAsync(0, Requests, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            {
                // Admin and app routes, no key and a wrong one, from four source addresses.
                var path = i % 2 == 0 ? $"/admin/audit/{LongSegment}" : $"/v1/reviews/{LongSegment}";
                using var request = new HttpRequestMessage(HttpMethod.Get, path + "?secret=query-never-kept");
                if (i % 4 is 1 or 2)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-real-key");
                }

                using var response = await clients[i % clients.Length].SendAsync(request, ct);
                statuses[i] = (int)response.StatusCode;
            });
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        await host.Services.GetRequiredService<AuthenticationFailures>().FlushAsync(all: true);

        Assert.All(statuses, s => Assert.True(s is 401 or 429, $"HTTP {s}"));
        Assert.Contains(429, statuses);
        var grown = AuditStoreBytes(host) - before;
        Assert.True(grown < 1024 * 1024, $"The audit store grew by {grown} bytes for {Requests} refused requests.");

        var refusals = (await host.GetAuditRecordsAsync()).Where(r => (string?)r["decision"] == AuthenticationFailures.AuditDecision).ToList();
        Assert.Equal(Requests, refusals.Sum(r => Field(r, "count")));
        Assert.Equal(statuses.Count(s => s == 429), refusals.Sum(r => Field(r, "throttled")));
        Assert.Equal(addresses.Order(), refusals.Select(r => Value(r, "address")).Distinct().Order());
        Assert.Equal(
            ["admin;invalid_admin_key", "admin;missing_key", "reviews;invalid_key", "reviews;missing_key"],
            refusals.Select(r => $"{Value(r, "route")};{((string)r["reasons"]!).Split(';')[0]}").Distinct().Order());
        Assert.All(refusals, r =>
        {
            Assert.True(((string)r["reasons"]!).Length < 400, (string?)r["reasons"]);
            Assert.DoesNotContain("secret", (string)r["reasons"]!, StringComparison.Ordinal);
            Assert.DoesNotContain("not-a-real-key", r.ToJsonString(), StringComparison.Ordinal);
        });

        using var scraper = host.CreateClient(key: null);
        var metrics = await PollMetricsAsync(scraper, text => SumOf(text, "xefai_auth_failures_total{") == Requests);
        Assert.Equal(Requests, SumOf(metrics, "xefai_auth_failures_total{"));
        Assert.Matches("(?m)^xefai_auth_failures_total\\{(?=[^}]*kind=\"missing_key\")(?=[^}]*route=\"admin\")(?=[^}]*outcome=\"throttled\")[^}]*\\} [1-9]", metrics);
        Assert.Matches("(?m)^xefai_auth_failures_total\\{(?=[^}]*kind=\"missing_key\")(?=[^}]*route=\"fhir\")(?=[^}]*outcome=\"refused\")[^}]*\\} 0", metrics);
        Assert.DoesNotContain(LongSegment[..100], metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeylessRequests_OverPerAddressLimit_429WithRetryAfterWhileValidKeysFromSameAddressServed()
    {
        await using var host = await GatewayHost.StartAsync(c => c["Gateway"]!["UnauthenticatedRequestsPerMinute"] = 5);
        var address = IPAddress.Parse("127.0.0.5");
        using var anonymous = ClientFrom(host, address);
        using var client = ClientFrom(host, address, GatewayHost.ClientKey);
        using var admin = ClientFrom(host, address, GatewayHost.AdminKey);

        var allowed = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            allowed.Add((await anonymous.PostChatAsync(ChatBody("summary", "Stable."))).Status);
        }

        var throttled = await anonymous.PostChatAsync(ChatBody("summary", "Stable."));
        var fhir = await anonymous.GetCallAsync("/fhir/AuditEvent");
        var answered = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        var audit = await admin.GetCallAsync("/admin/audit/verify");

        Assert.Equal([401, 401, 401, 401, 401], allowed);
        Assert.Equal(429, throttled.Status);
        Assert.Equal("too_many_unauthenticated_requests", (string?)throttled.Json["error"]!["code"]);
        Assert.Equal("rate_limit_error", (string?)throttled.Json["error"]!["type"]);
        var retryAfter = int.Parse(throttled.Header("Retry-After")!, CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 12);
        Assert.Equal(429, fhir.Status);
        Assert.Equal("application/fhir+json", fhir.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("OperationOutcome", (string?)fhir.Json["resourceType"]);
        Assert.Equal("throttled", (string?)fhir.Json["issue"]![0]!["code"]);
        Assert.NotNull(fhir.Response.Headers.RetryAfter);
        Assert.Equal(200, answered.Status);
        Assert.Equal(200, audit.Status);

        await host.Services.GetRequiredService<AuthenticationFailures>().FlushAsync(all: true);
        var refusals = (await host.GetAuditRecordsAsync()).Where(r => (string?)r["decision"] == AuthenticationFailures.AuditDecision).ToList();
        var chat = Assert.Single(refusals, r => Value(r, "route") == AuthRoutes.Chat);
        Assert.StartsWith("missing_key;", (string?)chat["reasons"], StringComparison.Ordinal);
        Assert.Equal(6, Field(chat, "count"));
        Assert.Equal(1, Field(chat, "throttled"));
        Assert.Equal("127.0.0.5", Value(chat, "address"));
        Assert.Equal("POST /v1/chat/completions", Value(chat, "request"));
        Assert.Equal(401, (int?)chat["statusCode"]);
        var fhirRecord = Assert.Single(refusals, r => Value(r, "route") == AuthRoutes.Fhir);
        Assert.Equal(429, (int?)fhirRecord["statusCode"]);
        Assert.True((bool)(await admin.GetFromJsonAsync<JsonObject>("/admin/audit/verify"))!["valid"]!);
    }

    [Theory]
    [InlineData(null, "missing_key", "No API key")]
    [InlineData("not-a-real-key", "invalid_key", "not valid")]
    public async Task Chat_WithoutValidKey_401WithoutOwnRecordAndAggregatedAfterFlush(string? key, string kind, string words)
    {
        await using var host = await GatewayHost.StartAsync();
        using var caller = host.CreateClient(key);

        var call = await caller.PostChatAsync(ChatBody("summary", "Summarize: stable, discharged home."));

        Assert.Equal(401, call.Status);
        Assert.Equal("invalid_api_key", (string?)call.Json["error"]!["code"]);
        Assert.Equal("authentication_error", (string?)call.Json["error"]!["type"]);
        Assert.Contains(words, (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Null(call.Header("X-XefAI-Audit-Id"));
        Assert.NotNull(call.Header("X-XefAI-Trace-Id"));
        Assert.Empty(await host.GetAuditRecordsAsync());

        await host.Services.GetRequiredService<AuthenticationFailures>().FlushAsync(all: true);

        var record = Assert.Single(await host.GetAuditRecordsAsync());
        Assert.Equal(AuthenticationFailures.AuditDecision, (string?)record["decision"]);
        Assert.StartsWith(kind + ";route:chat;count:1;throttled:0;", (string?)record["reasons"], StringComparison.Ordinal);
        Assert.Equal(call.Header("X-XefAI-Trace-Id"), (string?)record["traceId"]);
        Assert.Null((string?)record["app"]);
        Assert.Null((string?)record["useCase"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task Start_UnauthenticatedLimitBelowOne_RefusesToStartNamingTheSetting(int limit)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(c => c["Gateway"]!["UnauthenticatedRequestsPerMinute"] = limit));

        Assert.Contains("Gateway:UnauthenticatedRequestsPerMinute must be from 1", error.Message, StringComparison.Ordinal);
    }

    /// <summary>An HTTP client whose connections leave from <paramref name="local"/>: Linux routes all of 127/8 to loopback.</summary>
    private static HttpClient ClientFrom(GatewayHost host, IPAddress local, string? key = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 4,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = host.Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>The SQLite audit database with its write-ahead log: what the disk holds for the trail.</summary>
    private static long AuditStoreBytes(GatewayHost host) =>
        new[] { host.AuditDatabasePath, host.AuditDatabasePath + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    /// <summary>A <c>name:value</c> field of an aggregated record's reasons; the request sample is last, so it may hold anything.</summary>
    private static string Value(JsonObject record, string name)
    {
        var reasons = (string)record["reasons"]!;
        var marker = name == "request" ? ";request:" : ";" + name + ":";
        var start = reasons.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = name == "request" ? reasons.Length : reasons.IndexOf(';', start);
        return reasons[start..(end < 0 ? reasons.Length : end)];
    }

    private static long Field(JsonObject record, string name) => long.Parse(Value(record, name), CultureInfo.InvariantCulture);

    private static long SumOf(string metrics, string prefix) => metrics
        .Split('\n')
        .Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
        .Sum(l => (long)double.Parse(l[(l.LastIndexOf('}') + 2)..].Split(' ')[0], CultureInfo.InvariantCulture));

    /// <summary>The exporter caches a scrape briefly; poll until the expected numbers appear rather than sleeping.</summary>
    private static async Task<string> PollMetricsAsync(HttpClient client, Func<string, bool> done)
    {
        var text = string.Empty;
        for (var i = 0; i < 50 && !done(text); i++)
        {
            if (i > 0)
            {
                await Task.Delay(100);
            }

            text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        }

        return text;
    }
}

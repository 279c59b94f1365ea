using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A vendor that stops answering costs only its own callers: calls waiting for it hold no processing place, and at
/// most <c>Gateway:Overload:MaxCallsPerVendor</c> of them wait; one more is refused at once, or served by the use
/// case's next deployment.
/// </summary>
public sealed class VendorIsolationTests
{
    [Fact]
    public async Task Chat_OneVendorSilent_OtherVendorServedAndTheSilentOnesCallsBoundedAtItsOwnLimit()
    {
        // Fault round 28: with 800 streams stalled at one vendor, 111 of 226 calls to a healthy deployment of another
        // vendor got 503 overloaded: a call kept its processing place while it waited for its vendor.
        var stuck = StallingVendor.Silent();
        using var healthy = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            stuck.Configure(c);
            healthy.Configure(c, "healthy");
            c["Models"]!["Deployments"]!["healthy"] = new JsonObject { ["Kind"] = "openai", ["Cluster"] = "healthy", ["Model"] = "gpt-4o-mini" };
            var useCases = c["Governance"]!["UseCases"]!;
            useCases["healthy-chat"] = GatewayHost.UseCase("Healthy chat", 1, "active", "healthy");
            useCases["fallback-chat"] = GatewayHost.UseCase("Fallback chat", 1, "active", "vendor");
            useCases["fallback-chat"]!["Providers"]!.AsArray().Add("healthy");
            var granted = c["Gateway"]!["Clients"]!["test-app"]!["UseCases"]!.AsArray();
            granted.Add("healthy-chat");
            granted.Add("fallback-chat");
            c["Gateway"]!["Overload"] = new JsonObject { ["MaxConcurrentCalls"] = 2, ["QueueLimit"] = 0, ["MaxCallsPerVendor"] = 3, ["RetryAfterSeconds"] = 4 };
            c.Resilience(maxRetries: 0, attemptTimeout: "00:02:00");
        }));
        using var client = host.CreateClient();
        var bounds = host.Services.GetRequiredService<VendorCallBounds>();
        var shedder = host.Services.GetRequiredService<LoadShedder>();

        // More calls wait for the silent vendor than there are places.
        var waiting = Enumerable.Range(0, 3).Select(_ => client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).ToList();
        await WaitUntilAsync(() => bounds.CallsOf("vendor") == 3 && stuck.Requests == 3);
        Assert.Equal(0, shedder.ProcessingCalls);

        // Another vendor's deployment is served.
        var served = await client.PostChatAsync(ChatBody("healthy-chat", "Hello"));
        Assert.Equal(200, served.Status);

        // One more for the silent vendor is refused at once, audited, with Retry-After; never sent to it.
        var refused = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        Assert.Equal(503, refused.Status);
        Assert.Equal("vendor_overloaded", (string?)refused.Json["error"]!["code"]);
        Assert.Equal("server_error", (string?)refused.Json["error"]!["type"]);
        Assert.Equal("4", refused.Header("Retry-After"));
        var record = await host.GetAuditRecordAsync(refused.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["vendor_overloaded"], record.AttemptOutcomes());
        Assert.Equal(3, stuck.Requests);

        // A use case with a next deployment falls back to it.
        var fellBack = await client.PostChatAsync(ChatBody("fallback-chat", "Hello"));
        Assert.Equal(200, fellBack.Status);
        Assert.Equal("healthy", fellBack.Header("X-XefAI-Provider"));

        using var anonymous = host.CreateClient(key: null);
        var metrics = await PollMetricsAsync(anonymous, "xefai_vendor_refused_total{");
        Assert.Matches("(?m)^xefai_vendor_calls\\{[^}]*cluster=\"vendor\"[^}]*\\} 3$", metrics);
        Assert.Matches("(?m)^xefai_vendor_refused_total\\{[^}]*cluster=\"vendor\"[^}]*\\} 2$", metrics);

        // The vendor goes away: the waiting calls fail, and give their slots back.
        await stuck.DisposeAsync();
        foreach (var call in await Task.WhenAll(waiting))
        {
            Assert.Equal(502, call.Status);
        }

        await WaitUntilAsync(() => bounds.CallsOf("vendor") == 0 && shedder.ProcessingCalls == 0);
    }

    /// <summary>Waits for a state of the gateway the test cannot be told of; bounded, not timed.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the gateway did not reach the state waited for");
    }

    /// <summary>The exporter caches a scrape briefly; poll until the series appear rather than sleeping.</summary>
    private static async Task<string> PollMetricsAsync(HttpClient client, string expected)
    {
        var text = string.Empty;
        for (var i = 0; i < 100 && !text.Contains(expected, StringComparison.Ordinal); i++)
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

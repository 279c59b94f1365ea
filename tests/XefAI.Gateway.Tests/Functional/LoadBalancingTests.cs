using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Several destinations (deployments or keys) of one vendor, balanced and health-checked by YARP.</summary>
public sealed class LoadBalancingTests
{
    private const string SecondKeyVariable = "XEFAI_TEST_VENDOR_KEY_2";

    [Fact]
    public async Task RoundRobin_SpreadsCallsOverDestinationsEachWithItsOwnKey()
    {
        Environment.SetEnvironmentVariable(SecondKeyVariable, "sk-second-key");
        using var first = new FakeVendor().AnswersWithExample();
        using var second = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => c["ReverseProxy"]!["Clusters"]!["vendor"] = TwoDestinations(first, second, health: null)));
        using var client = host.CreateClient();

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(200, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
        }

        Assert.Equal(3, first.CallCount);
        Assert.Equal(3, second.CallCount);
        Assert.Equal($"Bearer {GatewayHost.VendorKey}", first.LastRequestHeaders["Authorization"].Single());
        Assert.Equal("Bearer sk-second-key", second.LastRequestHeaders["Authorization"].Single());
    }

    [Fact]
    public async Task RoundRobin_OneDestinationsCircuitOpen_EveryCallGoesToTheOther()
    {
        Environment.SetEnvironmentVariable(SecondKeyVariable, "sk-second-key");
        using var failing = new FakeVendor().AnswersWith(500, """{"error":{"type":"server_error"}}""");
        using var working = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            c["ReverseProxy"]!["Clusters"]!["vendor"] = TwoDestinations(failing, working, health: null);
            c.Resilience(maxRetries: 0, breakerMinimumThroughput: 2);
        }));
        using var client = host.CreateClient();

        // Turn about until the failing destination's circuit opens on its second failure.
        for (var i = 0; i < 4 && failing.CallCount < 2; i++)
        {
            await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        }

        Assert.Equal(2, failing.CallCount);
        var before = working.CallCount;
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(200, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
        }

        Assert.Equal(2, failing.CallCount);
        Assert.Equal(before + 6, working.CallCount);
    }

    [Fact]
    public async Task ActiveHealthCheck_UnhealthyDestinationIsTakenOutOfRotation()
    {
        Environment.SetEnvironmentVariable(SecondKeyVariable, "sk-second-key");
        using var healthy = new FakeVendor().AnswersWithExample();
        using var sick = new FakeVendor().AnswersWithExample();
        healthy.Server.Given(Request.Create().WithPath("/v1/models").UsingGet()).RespondWith(Response.Create().WithStatusCode(200));
        sick.Server.Given(Request.Create().WithPath("/v1/models").UsingGet()).RespondWith(Response.Create().WithStatusCode(503));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
            c["ReverseProxy"]!["Clusters"]!["vendor"] = TwoDestinations(healthy, sick, health: "/models")));
        using var client = host.CreateClient();

        // Wait for YARP's first probe round to mark the sick destination unhealthy.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!sick.Server.LogEntries.Any(e => e.RequestMessage!.Path == "/v1/models") || !healthy.Server.LogEntries.Any(e => e.RequestMessage!.Path == "/v1/models"))
        {
            Assert.True(DateTime.UtcNow < deadline, "no health probe within 30 s");
            await Task.Delay(50);
        }

        await Task.Delay(200);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(200, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
        }

        Assert.Equal(0, sick.Server.LogEntries.Count(e => e.RequestMessage!.Path == "/v1/chat/completions"));
        Assert.Equal(6, healthy.Server.LogEntries.Count(e => e.RequestMessage!.Path == "/v1/chat/completions"));
    }

    private static JsonObject TwoDestinations(FakeVendor first, FakeVendor second, string? health)
    {
        var cluster = new JsonObject
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["Metadata"] = new JsonObject { ["ApiKeyVariable"] = GatewayHost.VendorKeyVariable },
            ["Destinations"] = new JsonObject
            {
                ["a"] = new JsonObject { ["Address"] = first.BaseAddress },
                ["b"] = new JsonObject
                {
                    ["Address"] = second.BaseAddress,
                    ["Metadata"] = new JsonObject { ["ApiKeyVariable"] = SecondKeyVariable },
                },
            },
        };
        if (health is not null)
        {
            cluster["HealthCheck"] = new JsonObject
            {
                ["Active"] = new JsonObject
                {
                    ["Enabled"] = true,
                    ["Interval"] = "00:00:00.500",
                    ["Timeout"] = "00:00:02",
                    ["Policy"] = "ConsecutiveFailures",
                    ["Path"] = health,
                },
            };
            cluster["Metadata"]!["ConsecutiveFailuresHealthPolicy.Threshold"] = "1";
        }

        return cluster;
    }
}

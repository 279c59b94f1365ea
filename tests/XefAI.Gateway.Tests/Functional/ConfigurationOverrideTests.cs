using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

public sealed class ConfigurationOverrideTests
{
    [Fact]
    public async Task EnvironmentVariable_RepointsVendorCluster_WithoutTouchingTheFile()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        // A cluster name of its own, so the process-wide variable cannot affect gateways of other tests.
        const string Variable = "ReverseProxy__Clusters__envvendor__Destinations__primary__Address";
        Environment.SetEnvironmentVariable(Variable, vendor.BaseAddress);
        try
        {
            await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
            {
                c["ReverseProxy"]!["Clusters"]!["envvendor"] = new JsonObject
                {
                    ["Destinations"] = new JsonObject { ["primary"] = new JsonObject { ["Address"] = "http://127.0.0.1:9/v1" } },
                };
                c["Models"]!["Deployments"]!["vendor"]!["Cluster"] = "envvendor";
            }));
            using var client = host.CreateClient();

            var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));

            Assert.Equal(200, call.Status);
            Assert.Equal(1, vendor.CallCount);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }
}

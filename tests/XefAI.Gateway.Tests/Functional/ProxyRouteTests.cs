using System.Text.Json.Nodes;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// YARP routes would forward requests on their own, past the key check, the policies and the audit trail. The
/// gateway refuses to start with one; an edit that adds one is rejected like any edit that fails the cross-layer check,
/// and since YARP reads its own section regardless, the route answers 404 without forwarding anything.
/// </summary>
[Collection(ConfigurationWatchingCollection.Name)]
public sealed class ProxyRouteTests
{
    [Fact]
    public async Task Start_WithYarpRoute_RefusesNamingTheRoute()
    {
        using var vendor = new FakeVendor().AnswersWithExample();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(c =>
        {
            vendor.Configure(c);
            c["ReverseProxy"]!["Routes"] = Route("/open/{**rest}");
        }));

        Assert.Contains("ReverseProxy:Routes:open", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigEdit_AddsYarpRoute_RejectedAndRequestsToItAre404AndNeverForwarded()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(vendor.Configure, watchConfiguration: true);
        using var anonymous = host.CreateClient(key: null);
        var before = host.Reloads;

        await host.RewriteConfigurationAsync(c => c["ReverseProxy"]!["Routes"] = Route("/open/{**rest}"));
        await host.WaitForReloadAsync(before, applied: false);
        using var response = await anonymous.GetAsync(new Uri("/open/v1/chat/completions", UriKind.Relative));

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Contains("unknown_url", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
    }

    private static JsonObject Route(string path) => new()
    {
        ["open"] = new JsonObject { ["ClusterId"] = "vendor", ["Match"] = new JsonObject { ["Path"] = path } },
    };
}

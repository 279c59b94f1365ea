using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

public sealed class PluginDiscoveryTests
{
    private const string PluginFile = "XefAI.Plugins.EchoProvider.dll";

    [Fact]
    public async Task Post_UseCaseOnProviderFromPluginsFolder_IsServedByThePlugin()
    {
        // The gateway and this test assembly do not reference the plugin: it is only a file in a folder.
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "XefAI.Plugins.EchoProvider" && a.Location.Length == 0);
        var directory = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(directory, "plugins"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "test-plugins", PluginFile), Path.Combine(directory, "plugins", PluginFile));

        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                c["Models"]!["Deployments"]!["echo"] = new JsonObject { ["Kind"] = "echo", ["Model"] = "echo-plugin-1" };
                c["Governance"]!["UseCases"]!["summary"]!["Providers"] = new JsonArray("echo");
            },
            directory);
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("summary", "ping from the plugin test"));

        Assert.Equal(200, call.Status);
        Assert.Equal("echo: ping from the plugin test", (string?)call.Json["choices"]![0]!["message"]!["content"]);
        Assert.Equal("echo-plugin-1", (string?)call.Json["model"]);
        Assert.Equal("echo", call.Header("X-XefAI-Provider"));
    }

    [Fact]
    public async Task Start_DeploymentOfUnknownProviderKind_RefusesToStartNamingIt()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(c =>
            c["Models"]!["Deployments"]!["ghost"] = new JsonObject { ["Kind"] = "ghost-kind", ["Model"] = "x" }));

        Assert.Contains("ghost-kind", error.Message, StringComparison.Ordinal);
    }
}

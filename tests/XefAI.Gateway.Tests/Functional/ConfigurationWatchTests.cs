using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// File watching is switchable: a gateway that never reloads holds no inotify instance (a user has 128 on
/// Linux, shared by every process), and one that watches releases its instances when it stops.
/// </summary>
[Collection(ConfigurationWatchingCollection.Name)]
public sealed class ConfigurationWatchTests
{
    [Fact]
    public async Task StartAsync_WithoutReload_AddsNoInotifyInstance()
    {
        var before = Inotify.Count();

        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."))).Status);

        Assert.Equal(before, Inotify.Count());
    }

    [Fact]
    public async Task StartAsync_WatchingHostDisposed_ReleasesItsInotifyInstances()
    {
        var before = Inotify.Count();

        var host = await GatewayHost.StartAsync(watchConfiguration: true);
        await host.DisposeAsync();

        Assert.Equal(before, Inotify.Count());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GatewayProcess_WatchConfigurationSetting_InotifyInstancesOnlyWhenWatching(bool watch)
    {
        // A real process, so the count does not depend on the test process's DOTNET_USE_POLLING_FILE_WATCHER.
        var directory = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(directory, "config"));
        await File.WriteAllTextAsync(Path.Combine(directory, "config", "appsettings.json"), GatewayHost.DefaultConfiguration(directory).ToJsonString());
        try
        {
            await using var gateway = GatewayProcess.Start(
            [
                "--environment=Testing",
                $"--XefAI:ConfigDirectory={Path.Combine(directory, "config")}",
                $"--XefAI:WatchConfiguration={watch}",
            ]);
            await gateway.WaitUntilHealthyAsync();

            var instances = gateway.InotifyInstances();

            if (watch)
            {
                Assert.True(instances > 0, "a watching gateway holds an inotify instance (else this test measures nothing)");
            }
            else
            {
                Assert.Equal(0, instances);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

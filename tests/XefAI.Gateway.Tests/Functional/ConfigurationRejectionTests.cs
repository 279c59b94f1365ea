using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A configuration file that disappears, empties or no longer binds is a bad edit like one that does not parse:
/// the last good configuration stays in force, the rejection is logged, and a later good edit applies.
/// </summary>
[Collection(ConfigurationWatchingCollection.Name)]
public sealed class ConfigurationRejectionTests
{
    [Fact]
    public async Task ConfigEdit_AppsettingsDeleted_LastGoodStaysAndRecreatedFileApplies()
    {
        var logs = new FakeLoggerProvider();
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true, builder: b => b.Logging.AddProvider(logs));
        using var client = host.CreateClient();
        var good = JsonNode.Parse(await File.ReadAllTextAsync(host.ConfigurationPath))!.AsObject();
        var before = host.Reloads;

        File.Delete(host.ConfigurationPath);
        await host.WaitForReloadAsync(before, applied: false);

        // Without its file the gateway would know no client, no use case and no audit store.
        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Error
            && r.Message.Contains("rejected", StringComparison.Ordinal) && r.Message.Contains("deleted", StringComparison.Ordinal));

        before = host.Reloads;
        good["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("local");
        await GatewayHost.ReplaceFileAsync(host.ConfigurationPath, good.ToJsonString());
        await host.WaitForReloadAsync(before, applied: true);

        var edited = await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharged home."));
        Assert.Equal(200, edited.Status);
        Assert.Equal("local", edited.Header("X-XefAI-Provider"));
    }

    [Fact]
    public async Task ConfigEdit_EnvironmentFileDeleted_LastGoodStaysAndRecreatedFileApplies()
    {
        var directory = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
        var environmentFile = Path.Combine(directory, "config", "appsettings.Testing.json");
        Directory.CreateDirectory(Path.GetDirectoryName(environmentFile)!);
        await File.WriteAllTextAsync(environmentFile, EnvironmentFile("active"));
        var logs = new FakeLoggerProvider();
        await using var host = await GatewayHost.StartAsync(directory: directory, watchConfiguration: true, builder: b => b.Logging.AddProvider(logs));
        using var client = host.CreateClient();
        Assert.Equal("local", (await client.PostChatAsync(ChatBody("vendor-chat", "Stable."))).Header("X-XefAI-Provider"));
        var before = host.Reloads;

        File.Delete(environmentFile);
        await host.WaitForReloadAsync(before, applied: false);

        // Had the file's values been dropped, vendor-chat would go to the unreachable vendor again (502).
        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Error
            && r.Message.Contains("appsettings.Testing.json", StringComparison.Ordinal) && r.Message.Contains("deleted", StringComparison.Ordinal));

        before = host.Reloads;
        await GatewayHost.ReplaceFileAsync(environmentFile, EnvironmentFile("suspended"));
        await host.WaitForReloadAsync(before, applied: true);

        var suspended = await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharged home."));
        Assert.Equal(403, suspended.Status);
        Assert.Equal("use_case_suspended", (string?)suspended.Json["error"]!["code"]);
    }

    [Fact]
    public async Task ConfigEdit_FileEmptied_LastGoodStaysAndRejectionLogged()
    {
        var logs = new FakeLoggerProvider();
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true, builder: b => b.Logging.AddProvider(logs));
        using var client = host.CreateClient();
        var before = host.Reloads;

        // What a reader sees between an editor's truncation and its write.
        await File.WriteAllBytesAsync(host.ConfigurationPath, []);
        await host.WaitForReloadAsync(before, applied: false);

        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."))).Status);
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfigEdit_FileTruncatedThenRepaired_HealthAndMetricSayWhileTheEditIsNotInForce()
    {
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true);
        using var client = host.CreateClient();
        var good = await File.ReadAllTextAsync(host.ConfigurationPath);
        Assert.DoesNotContain("last-edit-rejected", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative)), StringComparison.Ordinal);
        var before = host.Reloads;

        // An editor's write cut short: the last good configuration serves, and the probe an operator watches says so.
        await File.WriteAllTextAsync(host.ConfigurationPath, good[..(good.Length / 2)]);
        await host.WaitForReloadAsync(before, applied: false);

        Assert.Equal("""{"status":"healthy","configuration":"last-edit-rejected"}""", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        await AssertScrapedAsync(client, new Regex(@"^xefai_config_edit_rejected\{[^}]*\} 1$", RegexOptions.Multiline));

        before = host.Reloads;
        await GatewayHost.ReplaceFileAsync(host.ConfigurationPath, good);
        await host.WaitForReloadAsync(before, applied: true);

        Assert.Equal("""{"status":"healthy"}""", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        await AssertScrapedAsync(client, new Regex(@"^xefai_config_edit_rejected\{[^}]*\} 0$", RegexOptions.Multiline));
    }

    /// <summary>
    /// The Prometheus exporter answers a scrape from its cache for a moment (300 ms by default), so a scrape right after
    /// another may show the value before: scraped until it matches, with a bound; it still fails if it never does.
    /// </summary>
    private static async Task AssertScrapedAsync(HttpClient client, Regex expected)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string metrics;
        do
        {
            metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            if (expected.IsMatch(metrics))
            {
                return;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < giveUp);

        Assert.Matches(expected, metrics);
    }

    [Fact]
    public async Task ConfigEdit_ValueFailsToBind_RejectionLoggedAndRequestsStillServed()
    {
        var logs = new FakeLoggerProvider();
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true, builder: b => b.Logging.AddProvider(logs));
        using var client = host.CreateClient();
        var before = host.Reloads;

        await host.RewriteConfigurationAsync(c => c["Gateway"]!["MaxRequestBodyBytes"] = "abc");
        await host.WaitForReloadAsync(before, applied: false);

        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."))).Status);
        var rejection = Assert.Single(logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Error && r.Category == "XefAI.Gateway.Configuration");
        Assert.Contains("Gateway:MaxRequestBodyBytes", rejection.Message, StringComparison.Ordinal);
        Assert.Null(rejection.Exception);
    }

    [Fact]
    public async Task ConfigEdit_RejectedWithAVendorAddressChange_CallsStayWithTheVendorInForceUntilAGoodEditMovesThem()
    {
        using var inForce = new FakeVendor().AnswersWith(200, FakeVendor.Completion("From the vendor in force."));
        using var elsewhere = new FakeVendor().AnswersWith(200, FakeVendor.Completion("From the vendor of the edit."));
        await using var host = await GatewayHost.StartAsync(inForce.Configure, watchConfiguration: true);
        using var client = host.CreateClient();
        var before = host.Reloads;

        // One edit points the vendor's cluster elsewhere and breaks another setting: the whole edit is refused.
        await host.RewriteConfigurationAsync(c =>
        {
            elsewhere.Configure(c);
            c["Gateway"]!["MaxRequestBodyBytes"] = -1;
        });
        await host.WaitForReloadAsync(before, applied: false);

        var refused = await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharged home."));
        Assert.Equal(200, refused.Status);
        Assert.Equal("From the vendor in force.", (string?)refused.Json["choices"]![0]!["message"]!["content"]);
        Assert.Equal(0, elsewhere.CallCount);

        // The same address in a good edit is taken, by YARP too.
        await host.EditConfigurationAsync(c => c["Gateway"]!["MaxRequestBodyBytes"] = 1_048_576);

        var moved = await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharged home."));
        Assert.Equal(200, moved.Status);
        Assert.Equal("From the vendor of the edit.", (string?)moved.Json["choices"]![0]!["message"]!["content"]);
        Assert.Equal(1, elsewhere.CallCount);
    }

    [Fact]
    public async Task ConfigEdit_AppliedAndRejected_CountedInMetrics()
    {
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true);
        using var scraper = host.CreateClient(key: null);

        await host.EditConfigurationAsync(c => c["Gateway"]!["MaxRequestBodyBytes"] = 2048);
        var before = host.Reloads;
        await host.RewriteConfigurationAsync(c => c["Gateway"]!["MaxRequestBodyBytes"] = -1);
        await host.WaitForReloadAsync(before, applied: false);

        await AdminCalls.WaitUntilAsync(
            async () =>
            {
                var text = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return Regex.IsMatch(text, "^xefai_config_reloads_total\\{[^}]*outcome=\"applied\"[^}]*\\} [1-9]", RegexOptions.Multiline)
                    && Regex.IsMatch(text, "^xefai_config_reloads_total\\{[^}]*outcome=\"rejected\"[^}]*\\} [1-9]", RegexOptions.Multiline);
            },
            "both reload outcomes in /metrics");
    }

    private static string EnvironmentFile(string status) => new JsonObject
    {
        ["Governance"] = new JsonObject
        {
            ["UseCases"] = new JsonObject
            {
                ["vendor-chat"] = new JsonObject { ["Status"] = status, ["Providers"] = new JsonArray("local") },
            },
        },
    }.ToJsonString();
}

using XefAI.Gateway.Tests.Functional;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Monitoring;

/// <summary>
/// A real Prometheus, run from the shipped <c>config/prometheus</c> files (only the target and the scrape interval
/// changed), scrapes a running gateway on a real socket; the test reads the series back through the HTTP API.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class PrometheusServerTests
{
    // How long the server may take to scrape once it is ready (1 s interval): a bound for a failure, not a measure.
    private static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(60);

    [PrometheusFact]
    public async Task Prometheus_ScrapingARunningGateway_ReadsTheCallCountBackThroughItsApi()
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var client = gateway.CreateClient();
        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);

        var shipped = await File.ReadAllTextAsync(Path.Combine(PrometheusTools.ConfigFolder, "prometheus.yml"));
        Assert.Contains("- localhost:5080", shipped, StringComparison.Ordinal);
        Assert.Contains("scrape_interval: 15s", shipped, StringComparison.Ordinal);
        var configuration = shipped
            .Replace("- localhost:5080", "- " + gateway.Address.Authority, StringComparison.Ordinal)
            .Replace("scrape_interval: 15s", "scrape_interval: 1s", StringComparison.Ordinal)
            .Replace("scrape_timeout: 10s", "scrape_timeout: 1s", StringComparison.Ordinal);

        await using var prometheus = await PrometheusServer.StartAsync(
            configuration,
            [Path.Combine(PrometheusTools.ConfigFolder, "recording.yml"), Path.Combine(PrometheusTools.ConfigFolder, "alerts.yml")]);

        var samples = await prometheus.WaitForSamplesAsync(
            "xefai_requests_total{job=\"xefai-gateway\",use_case=\"summary\",outcome=\"answered\",status_code=\"200\"}", ScrapeTimeout);

        var (labels, value) = Assert.Single(samples);
        Assert.Equal("1", value);
        Assert.Equal("2", (string?)labels["tier"]);
        Assert.Equal("local", (string?)labels["provider"]);
        Assert.Equal("200", (string?)labels["status_code"]);

        // The shipped relabelling: the instance is the host without its port.
        Assert.Equal(gateway.Address.Host, (string?)labels["instance"]);

        // The target is up, and the server loaded both rule files' groups.
        var up = await prometheus.QueryAsync("up{job=\"xefai-gateway\"}");
        Assert.Equal("1", Assert.Single(up).Value);
        var rules = await prometheus.GetJsonAsync("api/v1/rules");
        var groups = rules["data"]!["groups"]!.AsArray().Select(group => (string?)group!["name"]).ToList();
        Assert.Contains("xefai-gateway-traffic", groups);
        Assert.Contains("xefai-gateway-alerts", groups);
    }
}

using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Monitoring;

/// <summary>
/// The Prometheus files in <c>config/prometheus</c> checked by the Debian package's <c>promtool</c>: the scrape
/// configuration, the rule files, the rules' unit tests on synthetic series, and a live gateway's <c>/metrics</c>.
/// </summary>
public sealed class PrometheusFilesTests
{
    private static readonly string[] RuleFiles = ["recording.yml", "alerts.yml"];

    [PrometheusFact]
    public async Task CheckConfig_ShippedScrapeConfiguration_IsValidWithItsRuleFiles()
    {
        var (exitCode, output) = await PrometheusTools.PromtoolAsync(["check", "config", "prometheus.yml"]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);

        // check config reads the rule files the configuration names: both of them.
        foreach (var file in RuleFiles)
        {
            Assert.Contains(file, output, StringComparison.Ordinal);
        }
    }

    [PrometheusFact]
    public async Task CheckRules_RecordingAndAlertRules_AreValid()
    {
        var (exitCode, output) = await PrometheusTools.PromtoolAsync(["check", "rules", .. RuleFiles]);

        Assert.True(exitCode == 0, output);
        var recorded = PromQl.RecordedNames(await ReadConfigAsync("recording.yml"));
        var alerts = PromQl.AlertNames(await ReadConfigAsync("alerts.yml"));
        Assert.Contains($"SUCCESS: {recorded.Count} rules found", output, StringComparison.Ordinal);
        Assert.Contains($"SUCCESS: {alerts.Count} rules found", output, StringComparison.Ordinal);
    }

    [PrometheusFact]
    public async Task TestRules_UnitTestsOnSyntheticSeries_Pass()
    {
        var tests = Directory.GetFiles(Path.Combine(PrometheusTools.ConfigFolder, "tests"), "*.yml").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(tests);

        var (exitCode, output) = await PrometheusTools.PromtoolAsync(["test", "rules", .. tests]);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestRules_EveryAlert_HasAFiringAndANotFiringCase()
    {
        var alerts = PromQl.AlertNames(await ReadConfigAsync("alerts.yml"));
        Assert.NotEmpty(alerts);
        var cases = new List<(string Alert, bool Fires)>();
        foreach (var file in Directory.GetFiles(Path.Combine(PrometheusTools.ConfigFolder, "tests"), "*.yml"))
        {
            cases.AddRange(AlertCases(await File.ReadAllLinesAsync(file)));
        }

        foreach (var alert in alerts)
        {
            // A pair missing here names the alert and whether the missing case is the firing one (true) or not (false).
            Assert.Contains((alert, true), cases);
            Assert.Contains((alert, false), cases);
        }
    }

    [Fact]
    public async Task Alerts_EachRule_HasForSeverityAndTheThreeAnnotations()
    {
        var text = await ReadConfigAsync("alerts.yml");
        var rules = text.Split("- alert:", StringSplitOptions.None).Skip(1).ToArray();
        Assert.Equal(PromQl.AlertNames(text).Count, rules.Length);
        Assert.True(rules.Length >= 9, $"Expected the nine alerts of issue 13 item 5, found {rules.Length}.");

        foreach (var rule in rules)
        {
            Assert.Matches(@"\n\s+for: \d+[smh]\n", rule);
            Assert.Matches(@"\n\s+severity: (warning|critical)\n", rule);
            foreach (var annotation in new[] { "summary", "description", "runbook" })
            {
                Assert.Contains($" {annotation}: ", rule, StringComparison.Ordinal);
            }
        }
    }

    [PrometheusFact]
    public async Task CheckMetrics_LiveGatewayAfterACall_PassesPromtoolLint()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);

        using var scraper = host.CreateClient(key: null);
        var text = await PollMetricsAsync(scraper, "xefai_requests_total{");

        // The series the rules read that a fresh gateway exports after one local call.
        foreach (var series in new[] { "xefai_requests_total{", "xefai_request_duration_seconds_bucket{", "xefai_audit_writes_total{", "xefai_audit_backlog", "xefai_auth_failures_total{" })
        {
            Assert.Contains(series, text, StringComparison.Ordinal);
        }

        var (exitCode, output) = await PrometheusTools.PromtoolAsync(["check", "metrics"], text);

        // 0: clean. Polly's millisecond histograms are dropped by a view, so every series passes the lint.
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("resilience_polly_pipeline_duration", text, StringComparison.Ordinal);
    }

    private static Task<string> ReadConfigAsync(string file) =>
        File.ReadAllTextAsync(Path.Combine(PrometheusTools.ConfigFolder, file));

    /// <summary>Each <c>alertname:</c> of a promtool test file, and whether its <c>exp_alerts</c> expects it to fire.</summary>
    private static IEnumerable<(string Alert, bool Fires)> AlertCases(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith("alertname:", StringComparison.Ordinal) && !line.StartsWith("- alertname:", StringComparison.Ordinal))
            {
                continue;
            }

            var alert = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            var expected = lines.Skip(i + 1).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("exp_alerts:", StringComparison.Ordinal));
            if (expected is not null)
            {
                yield return (alert, expected != "exp_alerts: []");
            }
        }
    }

    /// <summary>The exporter caches a scrape briefly; poll until the series appear rather than sleeping.</summary>
    private static async Task<string> PollMetricsAsync(HttpClient client, string expected)
    {
        var text = string.Empty;
        for (var i = 0; i < 50 && !text.Contains(expected, StringComparison.Ordinal); i++)
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

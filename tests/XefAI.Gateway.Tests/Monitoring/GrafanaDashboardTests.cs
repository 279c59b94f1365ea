using System.Text.Json.Nodes;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Monitoring;

/// <summary>
/// The Grafana dashboard (<c>config/grafana/xefai-gateway.json</c>) and the rule files read only series that exist:
/// the recording rules' names and the gateway's own series.
/// </summary>
public sealed class GrafanaDashboardTests
{
    private static readonly string DashboardPath = Path.Combine(GatewayHost.RepositoryRoot, "config", "grafana", "xefai-gateway.json");

    [Fact]
    public void SeriesNames_OfAnExpression_AreItsSeriesOnly()
    {
        var names = PromQl.SeriesNames(
            "histogram_quantile(0.95, sum by (use_case, le) (rate(xefai_request_duration_seconds_bucket{use_case=~\"$use_case\"}[$__rate_interval])))"
            + " / on (use_case) group_left use_case:xefai_requests:rate5m > bool 1e3 and max without (instance) (xefai_audit_backlog offset 5m)");

        Assert.Equal(
            new[] { "use_case:xefai_requests:rate5m", "xefai_audit_backlog", "xefai_request_duration_seconds_bucket" },
            names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Dashboard_EveryPanelExpression_ReadsOnlyRecordedOrGatewaySeries()
    {
        var known = await KnownSeriesAsync();
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(DashboardPath))!.AsObject();
        var panels = Panels(dashboard["panels"]!.AsArray()).Where(panel => (string?)panel["type"] != "row").ToList();
        Assert.True(panels.Count >= 10, $"Expected a dashboard of ten panels or more, found {panels.Count}.");

        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var panel in panels)
        {
            var title = (string?)panel["title"];
            var targets = panel["targets"]?.AsArray() ?? new JsonArray();
            Assert.True(targets.Count > 0, $"Panel '{title}' has no query.");
            foreach (var target in targets)
            {
                var expression = (string?)target!["expr"];
                Assert.False(string.IsNullOrWhiteSpace(expression), $"Panel '{title}' has a query without an expression.");
                var names = PromQl.SeriesNames(expression!);
                Assert.True(names.Count > 0, $"Panel '{title}': no series found in {expression}.");
                var unknown = names.Where(name => !known.Contains(name)).ToList();
                Assert.True(unknown.Count == 0, $"Panel '{title}' reads {string.Join(", ", unknown)}, neither a recording rule nor a gateway series: {expression}");
                read.UnionWith(names);
            }
        }

        // The dashboard is built on the recording rules, not beside them.
        var recorded = PromQl.RecordedNames(await ReadRulesAsync("recording.yml"));
        Assert.True(read.Count(recorded.Contains) >= 10, "The dashboard reads fewer than ten recording rules.");
    }

    [Theory]
    [InlineData("recording.yml")]
    [InlineData("alerts.yml")]
    public async Task RuleFiles_EveryExpression_ReadsOnlyRecordedOrGatewaySeries(string file)
    {
        var known = await KnownSeriesAsync();
        var expressions = PromQl.Expressions(await ReadRulesAsync(file));
        Assert.NotEmpty(expressions);

        foreach (var expression in expressions)
        {
            var names = PromQl.SeriesNames(expression);
            Assert.True(names.Count > 0, $"{file}: no series found in {expression}.");
            var unknown = names.Where(name => !known.Contains(name)).ToList();
            Assert.True(unknown.Count == 0, $"{file} reads {string.Join(", ", unknown)}, neither a recording rule nor a gateway series: {expression}");
        }
    }

    private static async Task<HashSet<string>> KnownSeriesAsync()
    {
        var known = new HashSet<string>(PromQl.GatewaySeries, StringComparer.Ordinal);
        known.UnionWith(PromQl.RecordedNames(await ReadRulesAsync("recording.yml")));
        return known;
    }

    private static Task<string> ReadRulesAsync(string file) =>
        File.ReadAllTextAsync(Path.Combine(PrometheusTools.ConfigFolder, file));

    /// <summary>Every panel, those inside rows included.</summary>
    private static IEnumerable<JsonObject> Panels(JsonArray panels)
    {
        foreach (var panel in panels.Select(node => node!.AsObject()))
        {
            yield return panel;
            if (panel["panels"] is JsonArray nested)
            {
                foreach (var inner in Panels(nested))
                {
                    yield return inner;
                }
            }
        }
    }
}

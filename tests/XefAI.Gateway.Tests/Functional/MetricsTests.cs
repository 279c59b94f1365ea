using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

[Collection(ProcessMetricsCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_AfterCalls_ExposeRequestSeriesByUseCaseTierProviderOutcome()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        await client.PostChatAsync(ChatBody("suspended-case", "Stable."));
        await client.PostChatAsync(ChatBody("no-such-case", "Stable."));

        using var scraper = host.CreateClient(key: null);
        // The configured use cases' series are listed at 0 from start-up: wait for the last call's count, not the series.
        var text = await PollMetricsAsync(scraper, t => System.Text.RegularExpressions.Regex.IsMatch(t, Line("xefai_requests_total", "outcome=\"denied\"", "use_case=\"other\"")));

        Assert.Matches(Line("xefai_requests_total", "outcome=\"answered\"", "provider=\"local\"", "tier=\"2\"", "use_case=\"summary\""), text);
        Assert.Matches(Line("xefai_requests_total", "outcome=\"denied\"", "use_case=\"suspended-case\""), text);
        Assert.Matches(Line("xefai_requests_total", "outcome=\"denied\"", "use_case=\"other\""), text);
        Assert.Contains("xefai_policy_denials_total{", text, StringComparison.Ordinal);
        Assert.Contains("reason=\"use_case_suspended\"", text, StringComparison.Ordinal);
        Assert.Contains("xefai_request_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_client_operation_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.DoesNotContain("no-such-case", text, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayHost.ClientKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AuditWritesOfEveryKind_AreCounted()
    {
        // No chat call at all: an admin read (an access record) is an audit write too.
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        await admin.GetStringAsync(new Uri("/admin/use-cases", UriKind.Relative));

        using var scraper = host.CreateClient(key: null);
        // Both outcomes are listed at 0 from start-up: wait for the count, not the series.
        var text = await PollMetricsAsync(scraper, t => System.Text.RegularExpressions.Regex.IsMatch(t, Line("xefai_audit_writes_total", "outcome=\"committed\"")));

        Assert.Matches(Line("xefai_audit_writes_total", "outcome=\"committed\""), text);
    }

    /// <summary>A Prometheus sample line holding all the given label pairs, in any order.</summary>
    private static string Line(string metric, params string[] labels) =>
        "(?m)^" + metric + "\\{" + string.Concat(labels.Select(l => "(?=[^}]*" + System.Text.RegularExpressions.Regex.Escape(l) + ")")) + "[^}]*\\} [1-9]";

    /// <summary>The exporter caches a scrape briefly; poll until the series appear rather than sleeping.</summary>
    private static async Task<string> PollMetricsAsync(HttpClient client, Func<string, bool> ready)
    {
        var text = string.Empty;
        for (var i = 0; i < 50 && !ready(text); i++)
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

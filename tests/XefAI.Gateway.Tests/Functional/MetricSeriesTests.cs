using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The series of the design as a scraper sees them: at zero from start-up, with the GenAI semantic-convention
/// attributes once a vendor is called, and bounded however many distinct values the requests carry.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class MetricSeriesTests
{
    [Fact]
    public async Task Metrics_FreshGateway_ListTheDesignsSeriesAtZero()
    {
        await using var host = await GatewayHost.StartAsync();
        using var scraper = host.CreateClient(key: null);
        string[] expected =
        [
            Sample("xefai_requests_total", "0", "use_case=\"summary\"", "outcome=\"answered\""),
            Sample("xefai_requests_total", "0", "use_case=\"summary\"", "outcome=\"failed\""),
            Sample("xefai_requests_total", "0", "use_case=\"vendor-chat\"", "outcome=\"denied\""),
            Sample("xefai_requests_total", "0", "use_case=\"vendor-chat\"", "outcome=\"held\""),
            Sample("xefai_policy_denials_total", "0", "reason=\"use_case_suspended\""),
            Sample("xefai_policy_denials_total", "0", "reason=\"rate_limited\""),
            Sample("xefai_phi_redactions_total", "0", "kind=\"name\""),
            Sample("xefai_phi_redactions_total", "0", "kind=\"mrn\""),
            Sample("xefai_circuit_state", "0", "destination=\"vendor/primary\""),
            Sample("xefai_reviews_pending", "0", "use_case=\"summary\""),
            Sample("xefai_reviews_oldest_pending_age_seconds", "0", "use_case=\"summary\""),
            Sample("xefai_audit_backlog", "0"),
            Sample("xefai_drift_psi", "0", "feature=\"output_tokens\"", "use_case=\"summary\""),
            Sample("xefai_retries_total", "0", "deployment=\"vendor\"", "destination=\"none\"", "reason=\"none\""),
            Sample("xefai_fallbacks_total", "0", "from_deployment=\"vendor\"", "reason=\"none\"", "use_case=\"vendor-chat\""),
            Sample("xefai_cost_USD_total", "0", "app=\"test-app\"", "use_case=\"vendor-chat\""),
            Sample("xefai_drift_psi", "0", "feature=\"finish_reason\"", "use_case=\"vendor-chat\""),
            Sample("xefai_audit_writes_total", "0", "outcome=\"failed\""),
        ];

        var text = await PollMetricsAsync(scraper, t => expected.All(e => Regex.IsMatch(t, e)));

        Assert.All(expected, e => Assert.Matches(e, text));
    }

    [Fact]
    public async Task Metrics_VendorFailsOnceThenAnswers_CountTheRetryAndCarryTheGenAiAttributes()
    {
        using var vendor = new FakeVendor().FailsThenRecovers(failures: 1, status: 500);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 2);
            c["Models"]!["Deployments"]!["vendor"]!["InputPricePer1K"] = 1;
            c["Models"]!["Deployments"]!["vendor"]!["OutputPricePer1K"] = 2;
        }));
        using var client = host.CreateClient();
        var vendorHost = new Uri(vendor.BaseAddress).IdnHost;

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        Assert.Equal(200, call.Status);

        using var scraper = host.CreateClient(key: null);
        string[] expected =
        [
            Sample("xefai_retries_total", "1", "deployment=\"vendor\"", "destination=\"vendor/primary\"", "reason=\"vendor_error\""),
            Sample(
                "gen_ai_client_operation_duration_seconds_count",
                "1",
                "gen_ai_operation_name=\"chat\"",
                "gen_ai_provider_name=\"openai\"",
                "gen_ai_request_model=\"gpt-4o-mini\"",
                "gen_ai_response_model=\"gpt-4o-mini\"",
                $"server_address=\"{vendorHost}\"",
                "xefai_use_case=\"vendor-chat\""),
            Sample("gen_ai_client_token_usage_sum", "9(\\.0+)?", "gen_ai_token_type=\"input\"", $"server_address=\"{vendorHost}\""),
            Sample("gen_ai_client_token_usage_sum", "12(\\.0+)?", "gen_ai_token_type=\"output\"", "gen_ai_provider_name=\"openai\""),

            // 9 input tokens at $1 and 12 output tokens at $2 per thousand, by app and use case.
            Sample("xefai_cost_USD_total", "0\\.033", "app=\"test-app\"", "use_case=\"vendor-chat\""),
        ];

        var text = await PollMetricsAsync(scraper, t => expected.All(e => Regex.IsMatch(t, e)));

        Assert.All(expected, e => Assert.Matches(e, text));
        Assert.DoesNotMatch("(?m)^gen_ai_client_operation_duration_seconds_count\\{[^}]*error_type", text);
    }

    [Fact]
    public async Task Metrics_VendorNamesAModelNotInTheRegistry_ResponseModelIsOther()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Hi.", model: "gpt-4o-mini-2099-01-01-unlisted"));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        Assert.Equal(200, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);

        using var scraper = host.CreateClient(key: null);
        var other = Sample("gen_ai_client_operation_duration_seconds_count", "1", "gen_ai_request_model=\"gpt-4o-mini\"", "gen_ai_response_model=\"other\"");
        var text = await PollMetricsAsync(scraper, t => Regex.IsMatch(t, other));

        Assert.Matches(other, text);
        Assert.DoesNotContain("unlisted", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_VendorUnreachable_NameTheFailingProviderAndErrorType()
    {
        // The default vendor destination is the discard port: nothing answers there.
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c => c.Resilience(maxRetries: 0)));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        Assert.NotEqual(200, call.Status);

        using var scraper = host.CreateClient(key: null);
        string[] expected =
        [
            Sample("xefai_requests_total", "1", "use_case=\"vendor-chat\"", "outcome=\"failed\"", "provider=\"openai\"", "deployment=\"vendor\""),
            Sample("gen_ai_client_operation_duration_seconds_count", "1", "error_type=\"vendor_unreachable\"", "server_address=\"127.0.0.1\""),
        ];

        var text = await PollMetricsAsync(scraper, t => expected.All(e => Regex.IsMatch(t, e)));

        Assert.All(expected, e => Assert.Matches(e, text));
        Assert.DoesNotMatch("(?m)^xefai_requests_total\\{[^}]*outcome=\"failed\"[^}]*provider=\"none\"[^}]*use_case=\"vendor-chat\"[^}]*\\} [1-9]", text);
    }

    [Fact]
    public async Task Metrics_CallRefusedBeforeAnyRequestLeft_IsNoGenAiOperation()
    {
        // Two calls reach the vendor and fail; the circuit opens, and the third is refused with nothing sent. The GenAI
        // operation histogram and the gateway's overhead count the two that asked the model, the requests counter all three.
        using var vendor = new FakeVendor().AnswersWith(500, """{"error":{"type":"server_error"}}""");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 0, breakerMinimumThroughput: 2);
            c["Gateway"]!["Resilience"]!["BreakerBreakDuration"] = "00:01:00";
        }));
        using var client = host.CreateClient();
        Assert.Equal(502, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
        Assert.Equal(502, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
        var refused = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        Assert.Equal("circuit_open", (string?)refused.Json["error"]!["code"]);
        Assert.Equal(2, vendor.CallCount);

        using var scraper = host.CreateClient(key: null);
        string[] expected =
        [
            Sample("xefai_requests_total", "1", "use_case=\"vendor-chat\"", "outcome=\"failed\"", "status_code=\"503\""),
            Sample("xefai_requests_total", "2", "use_case=\"vendor-chat\"", "outcome=\"failed\"", "status_code=\"502\""),
            Sample("gen_ai_client_operation_duration_seconds_count", "2", "error_type=\"vendor_error\"", "xefai_use_case=\"vendor-chat\""),
            Sample("xefai_gateway_overhead_seconds_count", "2", "use_case=\"vendor-chat\""),
        ];

        var text = await PollMetricsAsync(scraper, t => expected.All(e => Regex.IsMatch(t, e)));

        Assert.All(expected, e => Assert.Matches(e, text));
        Assert.DoesNotContain("error_type=\"circuit_open\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AnswerAnOutputCheckRefuses_IsASuccessfulGenAiOperationAndAFailedRequest()
    {
        // The model answered; the gateway withheld the answer. The vendor's operation did not fail, the call did.
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Withheld text."));
        await using var host = await GatewayHost.StartAsync(
            CoveredVendors.WithBaa(vendor.Configure),
            builder: b => b.Services.AddSingleton(PluginDoubles.OutputCheck(
                "withhold-all", _ => new PolicyDenial("withheld_by_check", "The answer is withheld."))));
        using var client = host.CreateClient();
        var call = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        Assert.Equal("withheld_by_check", (string?)call.Json["error"]!["code"]);

        using var scraper = host.CreateClient(key: null);
        string[] expected =
        [
            Sample("xefai_requests_total", "1", "use_case=\"vendor-chat\"", "outcome=\"denied\"", $"status_code=\"{call.Status}\""),
            Sample("gen_ai_client_operation_duration_seconds_count", "1", "xefai_use_case=\"vendor-chat\""),
        ];

        var text = await PollMetricsAsync(scraper, t => expected.All(e => Regex.IsMatch(t, e)));

        Assert.All(expected, e => Assert.Matches(e, text));
        Assert.DoesNotMatch("(?m)^gen_ai_client_operation_duration_seconds_count\\{[^}]*error_type", text);
    }

    [Fact]
    public async Task Metrics_VendorKeepsFailing_ReportTheDestinationsCircuitOpen()
    {
        using var vendor = new FakeVendor().AnswersWith(500, """{"error":{"type":"server_error"}}""");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c.Resilience(maxRetries: 0, breakerMinimumThroughput: 2);
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local");
        }));
        using var client = host.CreateClient();
        using var scraper = host.CreateClient(key: null);
        var closed = Sample("xefai_circuit_state", "0", "destination=\"vendor/primary\"");
        Assert.Matches(closed, await PollMetricsAsync(scraper, t => Regex.IsMatch(t, closed)));

        for (var i = 0; i < 3; i++)
        {
            (await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharge home."))).Response.Dispose();
        }

        var open = Sample("xefai_circuit_state", "2", "destination=\"vendor/primary\"");
        var fallback = Sample("xefai_fallbacks_total", "[1-9][0-9]*", "from_deployment=\"vendor\"", "reason=\"circuit_open\"");
        var opened = Sample("xefai_circuit_transitions_total", "1", "destination=\"vendor/primary\"", "state=\"open\"");
        var text = await PollMetricsAsync(scraper, t => Regex.IsMatch(t, open) && Regex.IsMatch(t, fallback) && Regex.IsMatch(t, opened));

        Assert.Matches(open, text);
        Assert.Matches(fallback, text);
        Assert.Matches(opened, text);
    }

    [Fact]
    public async Task Metrics_StreamedAnswer_RecordTimeToFirstChunkAndPerOutputChunk()
    {
        using var vendor = new FakeVendor().StreamsEvents(VendorStreams.FirstChunk + VendorStreams.Rest);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(VendorStreams.StreamBody);
        Assert.Equal(200, call.Status);

        using var scraper = host.CreateClient(key: null);
        string[] expected =
        [
            Sample("gen_ai_client_operation_time_to_first_chunk_seconds_count", "1", "gen_ai_provider_name=\"openai\"", "xefai_use_case=\"vendor-chat\""),
            Sample("gen_ai_client_operation_time_per_output_chunk_seconds_count", "[1-9][0-9]*", "gen_ai_request_model=\"gpt-4o-mini\""),
        ];

        var text = await PollMetricsAsync(scraper, t => expected.All(e => Regex.IsMatch(t, e)));

        Assert.All(expected, e => Assert.Matches(e, text));
    }

    [Fact]
    public async Task Metrics_ThousandDistinctBogusModelsUseCasesAndUsers_CreateNoNewSeries()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        using var scraper = host.CreateClient(key: null);

        // Every shape of request once, so the fixed set of series they make exists before counting.
        await SendBogusAsync(client, "warm", 4);
        var before = await PollMetricsAsync(scraper, t => RequestCount(t) >= 4 * 3);

        await SendBogusAsync(client, "bogus", 334);
        var after = await PollMetricsAsync(scraper, t => RequestCount(t) >= (4 + 334) * 3);

        Assert.True(RequestCount(after) >= (4 + 334) * 3);
        Assert.DoesNotContain("bogus-", after, StringComparison.Ordinal);
        Assert.DoesNotContain("warm-", after, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayHost.ClientKey, after, StringComparison.Ordinal);

        // Over a thousand distinct values went in; a label that took them would add hundreds of series. The few allowed
        // are the bounded ones the warm-up may not have reached, such as a rate limit's 429.
        var added = Series(after).Except(Series(before)).ToList();
        Assert.True(added.Count <= 8, "New series: " + string.Join('\n', added));
    }

    [Theory]
    [InlineData("00-NOT-A-TRACE-<script>alert(1)</script>-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-zzzzzzzzzzzzzzzz-01")]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    public async Task Call_MalformedTraceparent_IsIgnoredAndNeverEchoed(string traceparent)
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("summary", "Stable."), r => r.Headers.TryAddWithoutValidation("traceparent", traceparent));

        Assert.Equal(200, call.Status);
        var traceId = call.Header("X-XefAI-Trace-Id");
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.NotEqual("0af7651916cd43dd8448eb211c80319c", traceId);
        Assert.NotEqual(new string('0', 32), traceId);
        var echoed = string.Join('\n', call.Response.Headers.Concat(call.Response.Content.Headers).SelectMany(h => h.Value))
            + System.Text.Encoding.UTF8.GetString(call.ResponseBody);
        Assert.DoesNotContain(traceparent, echoed, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT-A-TRACE", echoed, StringComparison.Ordinal);
        Assert.DoesNotContain("zzzzzzzz", echoed, StringComparison.Ordinal);
    }

    /// <summary>
    /// Per round, three requests: an unknown use case as the model, a configured one with a distinct user, and an
    /// unknown use case in the header the clinical routes read; each carries values seen nowhere else.
    /// </summary>
    private static async Task SendBogusAsync(HttpClient client, string prefix, int rounds)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, rounds), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var id = prefix + "-" + i.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N");
            (await client.PostChatAsync(Body("model-" + id, "user-" + id))).Response.Dispose();
            (await client.PostChatAsync(Body("summary", "user-" + id))).Response.Dispose();
            (await client.PostChatAsync(Body("summary", "user-" + id), r => r.Headers.TryAddWithoutValidation("X-XefAI-Use-Case", "case-" + id))).Response.Dispose();
        });

        static string Body(string model, string user) => new JsonObject
        {
            ["model"] = model,
            ["user"] = user,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Stable." }),
        }.ToJsonString();
    }

    /// <summary>Every call the gateway counted, whatever its labels.</summary>
    private static double RequestCount(string text) => Regex.Matches(text, "(?m)^xefai_requests_total\\{[^}]*\\} ([0-9.e+]+)")
        .Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    /// <summary>
    /// The gateway's own series (<c>xefai_*</c>, <c>gen_ai_*</c>), by name and labels, histogram buckets left out;
    /// ASP.NET Core's and the runtime's series are not the gateway's to bound.
    /// </summary>
    private static HashSet<string> Series(string text) =>
    [
        .. text.Split('\n')
            .Where(line => (line.StartsWith("xefai_", StringComparison.Ordinal) || line.StartsWith("gen_ai_", StringComparison.Ordinal))
                && !line.Contains("_bucket{", StringComparison.Ordinal))
            .Select(line => line.IndexOf('}', StringComparison.Ordinal) is var close and >= 0 ? line[..(close + 1)] : line[..line.IndexOf(' ', StringComparison.Ordinal)]),
    ];

    /// <summary>A Prometheus sample line of <paramref name="metric"/> holding all the given label pairs, in any order, with that value.</summary>
    private static string Sample(string metric, string value, params string[] labels) =>
        "(?m)^" + metric + "(\\{" + string.Concat(labels.Select(l => "(?=[^}]*" + Regex.Escape(l) + ")")) + "[^}]*\\})? " + value + "( |$)";

    /// <summary>The exporter caches a scrape briefly; poll until the series appear rather than sleeping.</summary>
    private static async Task<string> PollMetricsAsync(HttpClient client, Func<string, bool> ready)
    {
        var text = string.Empty;
        for (var i = 0; i < 100 && !ready(text); i++)
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

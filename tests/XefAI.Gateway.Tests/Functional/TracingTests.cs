using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The gateway's traces as a collector receives them: a real gateway exports OTLP/HTTP protobuf to an in-test receiver,
/// whose raw bytes are decoded and searched. One trace per call, joined to the caller's, with no content in it.
/// </summary>
public sealed class TracingTests
{
    private const string Prompt = "Summarize: Patient Homer Simpson, MRN 00482913, admitted with chest pain; troponin normal.";
    private const string Answer = "[NAME_1] [NAME_2] can go home after a normal troponin.";
    private const string UserId = "dr-julius-hibbert-77";

    private static readonly string[] StepSpans =
    [
        "xefai.authenticate", "xefai.read_request", "xefai.resolve_use_case", "xefai.govern", "xefai.build_context",
        "xefai.compose_prompt", "xefai.choose_deployments", "xefai.protect_data", "xefai.invoke_model", "xefai.restore_data",
        "xefai.check_output", "xefai.review", "xefai.commit_audit", "xefai.queue_review", "xefai.release",
    ];

    [Fact]
    public async Task Chat_WithTraceparent_ExportsOneTraceOfStepAttemptHttpAndAuditSpans_WithNoContent()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion(Answer));
        await using var host = await StartTracedGatewayAsync(receiver, vendor);
        using var client = UntracedClient(host);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpan = ActivitySpanId.CreateRandom().ToHexString();

        var call = await client.PostChatAsync(ChatBody(), request =>
        {
            request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");

            // A careless caller's trace state and baggage: neither may carry a name into the spans or to the vendor.
            request.Headers.Add("tracestate", "ehr=Homer-Simpson");
            request.Headers.Add("baggage", "patient=Homer%20Simpson,mrn=00482913");
        });

        Assert.Equal(200, call.Status);
        Assert.Equal(traceId, call.Header("X-XefAI-Trace-Id"));
        var auditId = call.Header("X-XefAI-Audit-Id")!;
        Assert.Equal(traceId, (string?)(await host.GetAuditRecordAsync(auditId))["traceId"]);

        // The vendor was sent the de-identified prompt (so the answer's tokens are the gateway's own) in the same trace.
        Assert.DoesNotContain("Homer", vendor.LastRequestBody.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(traceId, string.Join(",", vendor.LastRequestHeaders["traceparent"]), StringComparison.Ordinal);
        var vendorHeaders = string.Join("\n", vendor.LastRequestHeaders.Select(h => h.Key + ": " + string.Join(",", h.Value)));
        Assert.DoesNotContain("Homer", vendorHeaders, StringComparison.Ordinal);
        Assert.DoesNotContain("00482913", vendorHeaders, StringComparison.Ordinal);

        var spans = await WaitForServerSpanAsync(host, receiver, traceId, callerSpan);
        var server = spans.Single(s => s.Kind == 2 && s.TraceId == traceId && s.ParentSpanId == callerSpan);
        Assert.Equal("vendor-chat", server["xefai.use_case.id"]);
        Assert.Equal("answered", server["xefai.outcome"]);
        Assert.Equal(auditId, server["xefai.audit.record_id"]);

        var ofTrace = spans.Where(s => s.TraceId == traceId).ToList();
        var byId = ofTrace.ToDictionary(s => s.SpanId);
        foreach (var step in StepSpans)
        {
            var span = Assert.Single(ofTrace, s => s.Name == step);
            Assert.Equal(server.SpanId, span.ParentSpanId);
        }

        // The attempt: GenAI names, a child of the invoke step, the parent (through YARP's span, if any) of the HTTP span.
        var attempt = Assert.Single(ofTrace, s => s.Name == "chat gpt-4o-mini");
        Assert.Equal(3, attempt.Kind);
        Assert.Equal(ofTrace.Single(s => s.Name == "xefai.invoke_model").SpanId, attempt.ParentSpanId);
        Assert.Equal("chat", attempt["gen_ai.operation.name"]);
        Assert.Equal("openai", attempt["gen_ai.provider.name"]);
        Assert.Equal("gpt-4o-mini", attempt["gen_ai.request.model"]);
        Assert.Equal("vendor", attempt["xefai.deployment.id"]);
        Assert.Equal("1", attempt["xefai.attempt"]);
        Assert.Equal("200", attempt["http.response.status_code"]);

        var http = Assert.Single(ofTrace, s => s.Kind == 3 && s.Scope != "XefAI.Gateway" && s["http.request.method"] == "POST");
        Assert.Equal(attempt.SpanId, AncestorsOf(http, byId).First(s => s.Scope == "XefAI.Gateway").SpanId);
        Assert.Equal("200", http["http.response.status_code"]);
        Assert.Equal(new Uri(vendor.BaseAddress).GetLeftPart(UriPartial.Authority), http["url.full"]);

        var commit = Assert.Single(ofTrace, s => s.Name == "xefai.audit.commit");
        Assert.Equal(ofTrace.Single(s => s.Name == "xefai.commit_audit").SpanId, commit.ParentSpanId);
        Assert.Equal(auditId, commit["xefai.audit.record_id"]);
        Assert.Equal("answered", commit["xefai.outcome"]);

        // Nothing of the content, the caller's identity or a key, anywhere in what left the gateway (the search itself
        // finds what is there).
        Assert.True(receiver.Received("xefai.invoke_model"));
        foreach (var secret in new[]
        {
            "Homer", "Simpson", "00482913", "[NAME_", "NAME_1", "can go home", "troponin", "chest pain", UserId,
            GatewayHost.ClientKey, GatewayHost.VendorKey, "Bearer",
        })
        {
            Assert.False(receiver.Received(secret), $"The exported spans hold '{secret}'.");
        }
    }

    [Fact]
    public async Task Requests_WithANameInUserAgentHostOrMethod_ExportServerSpansWithoutIt()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Stable."));
        await using var host = await StartTracedGatewayAsync(receiver, vendor);
        using var client = UntracedClient(host);

        // Free text a caller writes outside the body: an EHR's User-Agent naming the chart it was opened from, a Host
        // header, a method no one defined. The server span's instrumentation records each as an attribute.
        var call = await client.PostChatAsync(ChatBody(), request =>
        {
            request.Headers.TryAddWithoutValidation("User-Agent", "EHR/1.0 (chart of Homer Simpson, MRN 00482913)");
            request.Headers.Host = "homer-simpson.example";
        });
        Assert.Equal(200, call.Status);
        using var odd = new HttpRequestMessage(new HttpMethod("HOMERSIMPSON"), "/v1/chat/completions");
        using var refused = await client.SendAsync(odd);
        Assert.Equal(405, (int)refused.StatusCode);

        var traceId = call.Header("X-XefAI-Trace-Id")!;
        var spans = await WaitForServerSpanAsync(host, receiver, traceId, string.Empty);
        var server = spans.Single(s => s.Kind == 2 && s.TraceId == traceId && s.ParentSpanId.Length == 0);
        Assert.Equal("vendor-chat", server["xefai.use_case.id"]);
        Assert.Equal("/v1/chat/completions", server["url.path"]);
        await AdminCalls.WaitUntilAsync(
            () =>
            {
                host.Services.GetRequiredService<TracerProvider>().ForceFlush(5000);
                return Task.FromResult(receiver.Spans.Any(s => s.Kind == 2 && s["http.response.status_code"] == "405"));
            },
            "the refused request's server span to reach the OTLP receiver",
            TimeSpan.FromSeconds(60));

        foreach (var secret in new[] { "Homer", "Simpson", "homer-simpson", "HOMERSIMPSON", "00482913" })
        {
            Assert.False(receiver.Received(secret), $"The exported spans hold '{secret}'.");
        }
    }

    [Fact]
    public async Task Chat_WithMalformedTraceparent_GetsAFreshTrace_AndTheValueIsNeverEchoed()
    {
        const string Malformed = "00-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-yyyyyyyyyyyyyyyy-01";
        await using var receiver = await OtlpReceiver.StartAsync();
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Stable."));
        await using var host = await StartTracedGatewayAsync(receiver, vendor);
        using var client = UntracedClient(host);

        var call = await client.PostChatAsync(ChatBody(), request => request.Headers.TryAddWithoutValidation("traceparent", Malformed));

        Assert.Equal(200, call.Status);
        var traceId = call.Header("X-XefAI-Trace-Id")!;
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.NotEqual(new string('0', 32), traceId);
        Assert.Equal(traceId, (string?)(await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!))["traceId"]);
        var headers = string.Join("\n", call.Response.Headers.Concat(call.Response.Content.Headers).Select(h => h.Key + ": " + string.Join(",", h.Value)));
        Assert.DoesNotContain("zzzz", headers, StringComparison.Ordinal);
        Assert.DoesNotContain("traceparent", headers, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("zzzz", Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);

        // The fresh trace is a root: its server span has no parent, and the bad value went nowhere.
        var spans = await WaitForServerSpanAsync(host, receiver, traceId, string.Empty);
        Assert.Single(spans, s => s.Kind == 2 && s.TraceId == traceId && s.ParentSpanId.Length == 0);
        Assert.Contains(spans, s => s.TraceId == traceId && s.Name == "chat gpt-4o-mini");
        Assert.False(receiver.Received("zzzz"));
        Assert.DoesNotContain("zzzz", string.Join(",", vendor.LastRequestHeaders.Select(h => h.Key + "=" + string.Join(",", h.Value))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_WithNoTracer_StillGivesTheVendorTheCallsTraceId_TheCallersWhenItSentOne()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion(Answer));
        await using var host = await GatewayHost.StartAsync(vendor.Configure);
        using var client = UntracedClient(host);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();

        var joined = await client.PostChatAsync(ChatBody(), request =>
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01"));

        Assert.Equal(200, joined.Status);
        Assert.Equal(traceId, joined.Header("X-XefAI-Trace-Id"));
        var sent = Assert.Single(vendor.LastRequestHeaders["traceparent"]);
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-01$", sent);

        var fresh = await client.PostChatAsync(ChatBody());

        Assert.Equal(200, fresh.Status);
        var freshId = fresh.Header("X-XefAI-Trace-Id")!;
        Assert.NotEqual(traceId, freshId);
        Assert.Equal(freshId, (string?)(await host.GetAuditRecordAsync(fresh.Header("X-XefAI-Audit-Id")!))["traceId"]);
        Assert.Matches($"^00-{freshId}-[0-9a-f]{{16}}-0[01]$", Assert.Single(vendor.LastRequestHeaders["traceparent"]));
    }

    private static string ChatBody() => new JsonObject
    {
        ["model"] = "vendor-chat",
        ["user"] = UserId,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Prompt }),
    }.ToJsonString();

    private static Task<GatewayHost> StartTracedGatewayAsync(OtlpReceiver receiver, FakeVendor vendor) => GatewayHost.StartAsync(c =>
    {
        vendor.Configure(c);
        c["Telemetry"] = new JsonObject
        {
            ["Otlp"] = new JsonObject { ["Endpoint"] = receiver.Address.ToString(), ["Protocol"] = "http/protobuf" },
        };

        // The batch processor's delay, read by OpenTelemetry from the configuration: spans leave within 100 ms.
        c["OTEL_BSP_SCHEDULE_DELAY"] = "100";
    });

    /// <summary>
    /// A client that sends the test's traceparent as it is. The test runs in the gateway's process, where every
    /// HttpClient is traced and would put its own span's traceparent in place of the test's; with no propagator, the
    /// handler has no diagnostics stage at all.
    /// </summary>
    private static HttpClient UntracedClient(GatewayHost host)
    {
        var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null })
        {
            BaseAddress = host.Address,
        };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayHost.ClientKey);
        return client;
    }

    /// <summary>
    /// Waits (flushing, and polling, never timing) until the gateway's server span of the call, the last of its spans
    /// to end, has arrived: the one whose parent is <paramref name="parent"/> (the vendor, in this process, has one too).
    /// </summary>
    private static async Task<IReadOnlyList<OtlpSpan>> WaitForServerSpanAsync(GatewayHost host, OtlpReceiver receiver, string traceId, string parent)
    {
        var tracer = host.Services.GetRequiredService<TracerProvider>();
        await AdminCalls.WaitUntilAsync(
            () =>
            {
                tracer.ForceFlush(5000);
                return Task.FromResult(receiver.Spans.Any(s => s.Kind == 2 && s.TraceId == traceId && s.ParentSpanId == parent));
            },
            "the call's server span to reach the OTLP receiver",
            TimeSpan.FromSeconds(60));
        return receiver.Spans;
    }

    private static IEnumerable<OtlpSpan> AncestorsOf(OtlpSpan span, Dictionary<string, OtlpSpan> byId)
    {
        while (byId.TryGetValue(span.ParentSpanId, out var parent))
        {
            yield return parent;
            span = parent;
        }
    }
}

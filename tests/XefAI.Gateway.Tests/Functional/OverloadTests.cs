using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Pipeline;
using XefAI.Testing;
using static XefAI.Testing.VendorStreams;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Overload is input too: beyond <c>Gateway:Overload:MaxConcurrentCalls</c> governed calls in flight (and the queue),
/// a call is answered at once with 503 <c>overloaded</c> and <c>Retry-After</c>, counted but not audited, while the
/// calls in flight finish and the probes keep answering.
/// </summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task Chat_MoreCallsThanTheLimit_ExtraOnesShed503WithRetryAfterFirstTwoCompleteProbesAnswer()
    {
        await using var vendor = new StallingVendor("text/event-stream", FirstChunk);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c["Gateway"]!["Overload"] = new JsonObject { ["MaxConcurrentCalls"] = 2, ["QueueLimit"] = 0, ["RetryAfterSeconds"] = 7 };
        }));
        using var client = host.CreateClient();

        // Two streams in flight, each holding its place until the vendor finishes.
        using var first = await OpenStreamAsync(client);
        using var second = await OpenStreamAsync(client);
        var firstBody = await ReadUntilAsync(first, "Hello");
        var secondBody = await ReadUntilAsync(second, "Hello");

        var shed = await Task.WhenAll(client.PostChatAsync(StreamBody), client.PostChatAsync(GatewayCalls.ChatBody("summary", "Hi")));
        foreach (var call in shed)
        {
            Assert.Equal(503, call.Status);
            Assert.Equal("7", call.Header("Retry-After"));
            Assert.Equal("application/json", call.Response.Content.Headers.ContentType?.MediaType);
            var error = call.Json["error"]!;
            Assert.Equal("overloaded", (string?)error["code"]);
            Assert.False(string.IsNullOrEmpty((string?)error["message"]));
            Assert.NotNull(call.Header("X-XefAI-Trace-Id"));
            Assert.Null(call.Header("X-XefAI-Audit-Id"));
        }

        // The probes are not governed calls: they answer while the gateway sheds.
        using var anonymous = host.CreateClient(key: null);
        Assert.Equal(200, (int)(await anonymous.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        var metrics = await PollMetricsAsync(anonymous, "xefai_shed_total{");
        Assert.Matches("(?m)^xefai_shed_total\\{[^}]*route=\"chat\"[^}]*\\} 2$", metrics);

        vendor.Release(Rest);
        Assert.Contains("[DONE]", firstBody + await ReadToEndAsync(first), StringComparison.Ordinal);
        Assert.Contains("[DONE]", secondBody + await ReadToEndAsync(second), StringComparison.Ordinal);
        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)second.StatusCode);

        // A shed call leaves no audit record: only the two streams' opening and closing records are on the trail.
        var records = await host.GetAuditRecordsAsync();
        Assert.Equal(4, records.Count);
        Assert.DoesNotContain(records, r => (int?)r["statusCode"] == 503);

        // With the places free again, a call goes through.
        Assert.Equal(200, (await client.PostChatAsync(GatewayCalls.ChatBody("summary", "Hi"))).Status);
    }

    [Fact]
    public async Task Chat_SlowSendersHoldReadingSlotsNotPlaces_OtherCallsAnsweredThenReadingBoundSheds()
    {
        await using var host = await GatewayHost.StartAsync(c =>
            c["Gateway"]!["Overload"] = new JsonObject { ["MaxConcurrentCalls"] = 1, ["QueueLimit"] = 1, ["MaxReadingCalls"] = 2, ["RetryAfterSeconds"] = 3 });
        using var client = host.CreateClient();
        using var anonymous = host.CreateClient(key: null);
        var shedder = host.Services.GetRequiredService<LoadShedder>();

        // A valid key whose body is still on its way: it holds a reading slot, not the one processing place.
        var slow = new SlowBody(GatewayCalls.ChatBody("summary", "Stable overnight."));
        var slowCall = client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), slow);
        await WaitUntilAsync(() => shedder.ReadingCalls == 1);

        Assert.Equal(200, (await client.PostChatAsync(GatewayCalls.ChatBody("summary", "Hi"))).Status);

        // A second slow sender takes the last reading slot: now a call is shed at the reading bound, counted, not audited.
        var slower = new SlowBody(GatewayCalls.ChatBody("summary", "Stable overnight."));
        var slowerCall = client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), slower);
        await WaitUntilAsync(() => shedder.ReadingCalls == 2);
        var shed = await client.PostChatAsync(GatewayCalls.ChatBody("summary", "Hi"));
        Assert.Equal(503, shed.Status);
        Assert.Equal("overloaded", (string?)shed.Json["error"]!["code"]);
        Assert.Equal("3", shed.Header("Retry-After"));
        Assert.Null(shed.Header("X-XefAI-Audit-Id"));

        // A wrong key is answered 401 whatever the bounds: it holds nothing and is never shed.
        using var wrongKey = host.CreateClient("not-a-key");
        Assert.Equal(401, (await wrongKey.PostChatAsync(GatewayCalls.ChatBody("summary", "Hi"))).Status);

        // One after the other: the place is freed just after an answer is written, and the queue holds the second meanwhile.
        slow.Finish();
        Assert.Equal(200, (int)(await slowCall).StatusCode);
        slower.Finish();
        Assert.Equal(200, (int)(await slowerCall).StatusCode);

        var metrics = await PollMetricsAsync(anonymous, "xefai_shed_total{");
        Assert.Matches("(?m)^xefai_shed_total\\{[^}]*bound=\"reading\"[^}]*route=\"chat\"[^}]*\\} 1$", metrics);
        Assert.Contains("# TYPE xefai_overload_calls gauge", metrics, StringComparison.Ordinal);
        Assert.Equal(0, shedder.ReadingCalls);
        Assert.Equal(0, shedder.ProcessingCalls);

        // The three answered calls have their records; the shed one has none.
        var records = await host.GetAuditRecordsAsync("summary");
        Assert.Equal(3, records.Count(r => (int?)r["statusCode"] == 200));
        Assert.DoesNotContain(records, r => (int?)r["statusCode"] == 503);
    }

    [Fact]
    public async Task Chat_BodiesOverTheBudget_ShedWith503UntilTheBytesAreGivenBack()
    {
        await using var host = await GatewayHost.StartAsync(c =>
            c["Gateway"]!["Overload"] = new JsonObject { ["MaxBodyBytesInFlight"] = 65536 });
        using var client = host.CreateClient();
        using var anonymous = host.CreateClient(key: null);
        var shedder = host.Services.GetRequiredService<LoadShedder>();
        var large = GatewayCalls.ChatBody("summary", "Stable overnight." + new string(' ', 40_000));

        // A 40 kB body on its way weighs its Content-Length from its first byte.
        var slow = new SlowBody(large);
        var slowCall = client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), slow);
        var length = Encoding.UTF8.GetByteCount(large);
        await WaitUntilAsync(() => shedder.BodyBytesInFlight == length);

        // Another 40 kB does not fit the 64 kB budget; a small call does.
        var shed = await client.PostChatAsync(large);
        Assert.Equal(503, shed.Status);
        Assert.Equal("overloaded", (string?)shed.Json["error"]!["code"]);
        Assert.NotNull(shed.Header("Retry-After"));
        Assert.Equal(200, (await client.PostChatAsync(GatewayCalls.ChatBody("summary", "Hi"))).Status);

        slow.Finish();
        Assert.Equal(200, (int)(await slowCall).StatusCode);

        // Given back when the call ended: the same body then fits.
        await WaitUntilAsync(() => shedder.BodyBytesInFlight == 0);
        Assert.Equal(200, (await client.PostChatAsync(large)).Status);
        var metrics = await PollMetricsAsync(anonymous, "xefai_shed_total{");
        Assert.Contains("# TYPE xefai_overload_body_bytes gauge", metrics, StringComparison.Ordinal);
        Assert.Matches("(?m)^xefai_shed_total\\{[^}]*bound=\"body_bytes\"[^}]*route=\"chat\"[^}]*\\} 1$", metrics);
        Assert.Equal(3, (await host.GetAuditRecordsAsync("summary")).Count);
    }

    [Fact]
    public async Task Metrics_AtStartUp_AuditBacklogExportedAtZero()
    {
        await using var host = await GatewayHost.StartAsync();
        using var anonymous = host.CreateClient(key: null);

        // Polled until it reads 0, not read once: test hosts in this process share the meter's name, and a host of another
        // test with records in flight may be the one a scrape shows for a moment.
        const string AtZero = "(?m)^xefai_audit_backlog(\\{[^}]*\\})? 0$";
        var metrics = await PollMetricsAsync(anonymous, "# TYPE xefai_audit_backlog gauge", AtZero);

        Assert.Matches(AtZero, metrics);
    }

    /// <summary>A body of declared length sent all but its last byte, then held until <see cref="Finish"/>: a slow sender.</summary>
    private sealed class SlowBody : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SlowBody(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(_bytes.AsMemory(0, _bytes.Length - 1));
            await stream.FlushAsync();
            await _finish.Task;
            await stream.WriteAsync(_bytes.AsMemory(_bytes.Length - 1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }

    private static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(StreamBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        return response;
    }

    private static async Task<string> ReadUntilAsync(HttpResponseMessage response, string expected)
    {
        var body = await response.Content.ReadAsStreamAsync();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var read = await body.ReadAsync(buffer);
            Assert.True(read > 0, $"the stream ended before '{expected}'");
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return received.ToString();
    }

    private static async Task<string> ReadToEndAsync(HttpResponseMessage response)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        return await reader.ReadToEndAsync();
    }

    /// <summary>Waits for a state of the gateway the test cannot be told of (a body the server is reading); bounded, not timed.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the gateway did not reach the state waited for");
    }

    /// <summary>The exporter caches a scrape briefly; poll until the series appear rather than sleeping.</summary>
    private static async Task<string> PollMetricsAsync(HttpClient client, string expected, string? pattern = null)
    {
        var text = string.Empty;
        for (var i = 0; i < 100 && !(text.Contains(expected, StringComparison.Ordinal) && (pattern is null || Regex.IsMatch(text, pattern))); i++)
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

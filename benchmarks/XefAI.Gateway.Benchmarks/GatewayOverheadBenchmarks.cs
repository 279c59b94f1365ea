using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using XefAI.Testing;

namespace XefAI.Gateway.Benchmarks;

/// <summary>
/// What the gateway adds to a call, with governance on: authentication, validation, policy, FHIR context,
/// YARP forwarding and a committed, hash-chained audit record. Compare <see cref="ThroughGatewayToVendor"/>
/// with <see cref="DirectToVendor"/>; both go over loopback to the same minimal vendor.
/// </summary>
/// <remarks>
/// Every case goes through the gateway's HTTP surface only (<c>POST /v1/chat/completions</c>, configured as
/// an operator would), so the same code measures the request path before and after it is rewritten. The
/// allocations reported are the whole process's: client, gateway and vendor together.
/// </remarks>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(15)]
public class GatewayOverheadBenchmarks
{
    private const string Body = """{"model":"vendor-chat","messages":[{"role":"system","content":"Draft a reply."},{"role":"user","content":"Can I move my appointment on Friday to the afternoon? My daughter can drive me then."}],"temperature":0.2,"max_tokens":200}""";
    private const string StreamedBody = """{"model":"vendor-stream","stream":true,"messages":[{"role":"system","content":"Draft a reply."},{"role":"user","content":"Can I move my appointment on Friday to the afternoon? My daughter can drive me then."}],"temperature":0.2,"max_tokens":200}""";
    // The end-to-end harness's body (bench/wrk/chat.json): a clinical note with a name, an MRN, dates and a phone number.
    private const string PhiBody = """{"model":"vendor-chat","messages":[{"role":"system","content":"You write clear, kind messages to patients at a sixth-grade reading level."},{"role":"user","content":"Please draft a short, friendly message to the patient. Context: Maria Gonzalez (MRN 00482913, born 04/17/1961) was seen on 11/02/2026 by Dr. Alan Whitfield for follow-up of type 2 diabetes and hypertension. HbA1c improved from 8.1% to 7.2%. Continue metformin 1000 mg twice daily and lisinopril 10 mg daily. Recheck labs in three months and call 555-201-3344 with any questions."}],"temperature":0.2,"max_tokens":256}""";
    private static readonly byte[] VendorBody = Encoding.UTF8.GetBytes(Body.Replace("vendor-chat", "gpt-4o-mini", StringComparison.Ordinal));
    private static readonly byte[] GatewayBody = Encoding.UTF8.GetBytes(Body);
    private static readonly byte[] GatewayPhiBody = Encoding.UTF8.GetBytes(PhiBody);
    private static readonly byte[] VerbatimBody = Encoding.UTF8.GetBytes(Body.Replace("vendor-chat", "vendor-verbatim", StringComparison.Ordinal));
    private static readonly byte[] LocalBody = Encoding.UTF8.GetBytes(Body.Replace("vendor-chat", "summary", StringComparison.Ordinal));
    private static readonly byte[] VendorStreamedBody = Encoding.UTF8.GetBytes(StreamedBody.Replace("vendor-stream", "gpt-4o-mini", StringComparison.Ordinal));
    private static readonly byte[] GatewayStreamedBody = Encoding.UTF8.GetBytes(StreamedBody);
    private static readonly Uri ChatCompletions = new("v1/chat/completions", UriKind.Relative);
    private static readonly byte[] EndOfStream = "data: [DONE]\n\n"u8.ToArray();

    private MinimalVendor _vendor = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _direct = null!;
    private HttpClient _directStream = null!;
    private HttpClient _client = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _vendor = await MinimalVendor.StartAsync();
        _gateway = await GatewayHost.StartAsync(Configure);
        _direct = DirectClient(_vendor.Address);
        _directStream = DirectClient(_vendor.StreamAddress);
        _client = _gateway.CreateClient();
        await CheckCasesAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _direct.Dispose();
        _directStream.Dispose();
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _vendor.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task<int> DirectToVendor() => PostAsync(_direct, VendorBody);

    /// <summary>Tier 1: metadata and hashes audited.</summary>
    [Benchmark]
    public Task<int> ThroughGatewayToVendor() => PostAsync(_client, GatewayBody);

    /// <summary>Tier 1 with a clinical note: eight values de-identified before the vendor, restored in the answer.</summary>
    [Benchmark]
    public Task<int> ThroughGatewayToVendorWithPhi() => PostAsync(_client, GatewayPhiBody);

    /// <summary>Tier 2 to a BAA-covered vendor: the request and the answer are audited verbatim.</summary>
    [Benchmark]
    public Task<int> ThroughGatewayToVendorVerbatimAudit() => PostAsync(_client, VerbatimBody);

    /// <summary>Tier 2 on the in-process provider: verbatim audit, no forwarding.</summary>
    [Benchmark]
    public Task<int> GatewayLocalProvider() => PostAsync(_client, LocalBody);

    /// <summary>The vendor's event stream read straight from it: the baseline of the streamed call.</summary>
    [Benchmark]
    public Task<int> DirectToVendorStreamed() => PostAsync(_directStream, VendorStreamedBody, streamed: true);

    /// <summary>Tier 1, <c>stream: true</c>: an opening and a closing audit record, chunks re-emitted.</summary>
    [Benchmark]
    public Task<int> ThroughGatewayToVendorStreamed() => PostAsync(_client, GatewayStreamedBody, streamed: true);

    /// <summary>32 calls at once: throughput with concurrent audit commits grouped into shared transactions.</summary>
    [Benchmark(OperationsPerInvoke = Parallel)]
    public async Task<int> ThroughGatewayToVendor32Concurrent()
    {
        var calls = new Task<int>[Parallel];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = PostAsync(_client, GatewayBody);
        }

        return (await Task.WhenAll(calls)).Sum();
    }

    private const int Parallel = 32;

    /// <summary>
    /// The gateway's configuration, as an operator writes it: the default test configuration, its vendor
    /// cluster pointed at the minimal vendor, plus a tier-2 use case on a BAA-covered vendor deployment and a
    /// tier-1 use case whose cluster is the vendor's streaming address.
    /// </summary>
    private void Configure(JsonObject configuration)
    {
        var clusters = configuration["ReverseProxy"]!["Clusters"]!.AsObject();
        clusters["vendor"]!["Destinations"]!["primary"]!["Address"] = _vendor.Address + "/v1";
        clusters["vendor-stream"] = new JsonObject
        {
            ["Metadata"] = new JsonObject { ["ApiKeyVariable"] = GatewayHost.VendorKeyVariable },
            ["Destinations"] = new JsonObject { ["primary"] = new JsonObject { ["Address"] = _vendor.StreamAddress + "/v1" } },
        };

        var deployments = configuration["Models"]!["Deployments"]!.AsObject();
        deployments["vendor-baa"] = new JsonObject { ["Kind"] = "openai", ["Cluster"] = "vendor", ["Model"] = "gpt-4o-mini", ["Baa"] = true };
        deployments["vendor-stream"] = new JsonObject { ["Kind"] = "openai", ["Cluster"] = "vendor-stream", ["Model"] = "gpt-4o-mini" };

        configuration.AddUseCase("vendor-verbatim", GatewayHost.UseCase("Vendor chat, verbatim audit", 2, "active", "vendor-baa"), "test-app");
        configuration.AddUseCase("vendor-stream", GatewayHost.UseCase("Vendor chat, streamed", 1, "active", "vendor-stream"), "test-app");
    }

    /// <summary>
    /// One call of each case before measuring, so that a configuration the gateway reads differently (another
    /// tier, another deployment, no verbatim record) fails the run instead of measuring the wrong path.
    /// </summary>
    private async Task CheckCasesAsync()
    {
        await PostAsync(_direct, VendorBody);
        await PostAsync(_directStream, VendorStreamedBody, streamed: true);
        await CheckAsync(GatewayBody, tier: "1", provider: "vendor", verbatim: false, streamed: false);
        await CheckAsync(GatewayPhiBody, tier: "1", provider: "vendor", verbatim: false, streamed: false, redacted: true);
        await CheckAsync(VerbatimBody, tier: "2", provider: "vendor-baa", verbatim: true, streamed: false);
        await CheckAsync(LocalBody, tier: "2", provider: "local", verbatim: true, streamed: false);
        await CheckAsync(GatewayStreamedBody, tier: "1", provider: "vendor-stream", verbatim: false, streamed: true);
    }

    private async Task CheckAsync(byte[] body, string tier, string provider, bool verbatim, bool streamed, bool redacted = false)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync(ChatCompletions, content);
        var answer = await response.Content.ReadAsByteArrayAsync();
        var what = Encoding.UTF8.GetString(body);
        Require(response.IsSuccessStatusCode, $"HTTP {(int)response.StatusCode} for {what}: {Encoding.UTF8.GetString(answer)}");
        Require(!streamed || answer.AsSpan().EndsWith(EndOfStream), $"stream not ended by [DONE] for {what}");
        Require(Header(response, "X-XefAI-Risk-Tier") == tier, $"tier {Header(response, "X-XefAI-Risk-Tier")}, expected {tier}, for {what}");
        Require(Header(response, "X-XefAI-Provider") == provider, $"provider {Header(response, "X-XefAI-Provider")}, expected {provider}, for {what}");

        using var admin = _gateway.CreateClient(GatewayHost.AdminKey);
        var record = await admin.GetFromJsonAsync<JsonObject>($"/admin/audit/{Header(response, "X-XefAI-Audit-Id")}");
        Require(record is not null && (record["inputText"] is not null) == verbatim, $"audit record of {what} is not {(verbatim ? "verbatim" : "metadata only")}");
        Require(!redacted || (string?)record!["deIdentification"] == "applied" && record["redactions"] is JsonNode { } r && r.ToJsonString().Length > 2,
            $"audit record of {what} shows no de-identification: {record?["deIdentification"]}, {record?["redactions"]}");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static void Require(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark set-up: " + failure);
        }
    }

    private static HttpClient DirectClient(string address)
    {
        // The trailing slash keeps the base path (the streaming vendor's /stream) when the relative path is added.
        var client = new HttpClient { BaseAddress = new Uri(address + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.VendorKey);
        return client;
    }

    private static async Task<int> PostAsync(HttpClient client, byte[] body, bool streamed = false)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(ChatCompletions, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        }

        // A stream that fails after it started is still a 200; only its last event tells.
        if (streamed && !bytes.AsSpan().EndsWith(EndOfStream))
        {
            throw new InvalidOperationException("The stream did not end with [DONE]: " + Encoding.UTF8.GetString(bytes));
        }

        return bytes.Length;
    }
}

using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using XefAI.Testing;

namespace XefAI.Gateway.Benchmarks;

/// <summary>
/// What the gateway adds to a call, with governance on: authentication, validation, policy, FHIR context,
/// YARP forwarding and a committed, hash-chained audit record. Compare <see cref="ThroughGatewayToVendor"/>
/// with <see cref="DirectToVendor"/>; both go over loopback to the same minimal vendor.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(15)]
public class GatewayOverheadBenchmarks
{
    private const string Body = """{"model":"vendor-chat","messages":[{"role":"system","content":"Draft a reply."},{"role":"user","content":"Can I move my appointment on Friday to the afternoon? My daughter can drive me then."}],"temperature":0.2,"max_tokens":200}""";
    private static readonly byte[] VendorBody = Encoding.UTF8.GetBytes(Body.Replace("vendor-chat", "gpt-4o-mini", StringComparison.Ordinal));
    private static readonly byte[] GatewayBody = Encoding.UTF8.GetBytes(Body);
    private static readonly byte[] LocalBody = Encoding.UTF8.GetBytes(Body.Replace("vendor-chat", "summary", StringComparison.Ordinal));

    private MinimalVendor _vendor = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _direct = null!;
    private HttpClient _client = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _vendor = await MinimalVendor.StartAsync();
        _gateway = await GatewayHost.StartAsync(c =>
            c["ReverseProxy"]!["Clusters"]!["vendor"]!["Destinations"]!["primary"]!["Address"] = _vendor.Address + "/v1");
        _direct = new HttpClient { BaseAddress = new Uri(_vendor.Address) };
        _direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.VendorKey);
        _client = _gateway.CreateClient();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _direct.Dispose();
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _vendor.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task<int> DirectToVendor() => PostAsync(_direct, VendorBody);

    [Benchmark]
    public Task<int> ThroughGatewayToVendor() => PostAsync(_client, GatewayBody);

    [Benchmark]
    public Task<int> GatewayLocalProvider() => PostAsync(_client, LocalBody);

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

    private static async Task<int> PostAsync(HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        }

        return bytes.Length;
    }
}

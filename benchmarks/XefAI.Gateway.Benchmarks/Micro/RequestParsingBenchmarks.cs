using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Integration;
using XefAI.Testing;

namespace XefAI.Gateway.Benchmarks.Micro;

/// <summary>
/// The read step's work on a ~600-byte chat request once its bytes are in: the SHA-256 the audit record keeps, and the
/// chat completions adapter's translation (JSON parsed into a DOM, validated, read into messages and options).
/// </summary>
[MemoryDiagnoser]
public class RequestParsingBenchmarks
{
    private readonly byte[] _body = HotPathSamples.ChatRequest("vendor-chat");
    private GatewayHost _gateway = null!;
    private DefaultHttpContext _httpContext = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _gateway = await GatewayHost.StartAsync();
        _httpContext = new DefaultHttpContext();
        _httpContext.Features.Set(_gateway.Services.GetRequiredService<GatewaySnapshots>().Current);
        if (Translate().Request is not { Messages.Count: 4 })
        {
            throw new InvalidOperationException("Benchmark set-up: the chat request was not read into four messages.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _gateway.DisposeAsync();

    /// <summary>The input hash of the audit record.</summary>
    [Benchmark]
    public string HashBody() => ReadRequestStep.Sha256Hex(_body);

    /// <summary>The request as the pipeline takes it: parsed, validated and translated into a gateway request.</summary>
    [Benchmark]
    public Translation Translate() => ChatCompletionsAdapter.Instance.Translate(_httpContext, _body);

    /// <summary>Both, as the read step does them.</summary>
    [Benchmark(Baseline = true)]
    public Translation ReadStep()
    {
        _ = ReadRequestStep.Sha256Hex(_body);
        return ChatCompletionsAdapter.Instance.Translate(_httpContext, _body);
    }
}

using System.Collections.Frozen;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Integration;
using XefAI.Models;
using XefAI.Models.Providers.Anthropic;
using XefAI.Models.Providers.OpenAI;

namespace XefAI.Gateway.Benchmarks.Micro;

/// <summary>
/// The models layer's translators on one call: the ~600-byte OpenAI-shaped request into the vendor's body (OpenAI and
/// Anthropic), the vendor's typical answer back into the client's chat completion, and a streamed answer (75 events)
/// parsed from server-sent events and re-emitted as OpenAI chunks.
/// </summary>
[MemoryDiagnoser]
public class ProviderTranslationBenchmarks
{
    private static readonly VendorEndpoint Endpoint = new("primary", "sk-vendor-benchmark-key", FrozenDictionary<string, string>.Empty);

    private readonly OpenAIProvider _openAI = new();
    private readonly AnthropicProvider _anthropic = new(TimeProvider.System);
    private ModelRequest _openAIRequest = null!;
    private ModelRequest _anthropicRequest = null!;
    private ModelRequest _openAIStreamRequest = null!;
    private VendorHttpResponse _openAIAnswer = null!;
    private VendorHttpResponse _anthropicAnswer = null!;
    private byte[] _openAIStream = [];

    [GlobalSetup]
    public void Setup()
    {
        var chat = (JsonObject)JsonNode.Parse(HotPathSamples.ChatRequest("vendor-chat"))!;
        var messages = chat["messages"]!.AsArray()
            .Select(m => new ChatMessage(m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>()))
            .ToList();
        var options = new ChatOptions(Temperature: 0.2, TopP: 0.9, MaxTokens: 200, User: "frontdesk-07");
        _openAIRequest = new ModelRequest(
            new ModelDeployment("vendor", OpenAIProvider.ProviderKind, "vendor", "gpt-4o-mini", null, HasBaa: false), messages, options, chat, ModelContext.Empty);
        _anthropicRequest = _openAIRequest with
        {
            Deployment = new ModelDeployment("claude", AnthropicProvider.ProviderKind, "anthropic", "claude-sonnet-4-5", null, HasBaa: false),
        };
        _openAIStreamRequest = _openAIRequest with { Options = options with { Stream = true } };
        _openAIAnswer = new VendorHttpResponse(200, HotPathSamples.OpenAICompletion("gpt-4o-mini-2024-07-18"), "application/json");
        _anthropicAnswer = new VendorHttpResponse(200, HotPathSamples.AnthropicMessage("claude-sonnet-4-5"), "application/json");
        _openAIStream = HotPathSamples.OpenAIStream("gpt-4o-mini-2024-07-18");

        // Each translation must do its whole work on these inputs, or the figures measure an early refusal.
        Require(OpenAIAnswerToClient().Body.Length > HotPathSamples.Answer.Length, "the OpenAI answer was not rendered");
        Require(AnthropicAnswerToClient().Body.Length > HotPathSamples.Answer.Length, "the Anthropic answer was not rendered");
        Require(OpenAIStreamParsedAndTranslated().GetAwaiter().GetResult() == HotPathSamples.Answer.Length, "the stream's text is not the answer");
    }

    [Benchmark]
    public VendorHttpRequest OpenAIRequestToVendor() => _openAI.CreateRequest(_openAIRequest, Endpoint);

    [Benchmark]
    public VendorHttpRequest AnthropicRequestToVendor() => _anthropic.CreateRequest(_anthropicRequest, Endpoint);

    /// <summary>The vendor's body read into the answer, then rendered as the adapter sends it to the client.</summary>
    [Benchmark]
    public RenderedResponse OpenAIAnswerToClient() => Render(_openAI.ReadResponse(_openAIRequest, _openAIAnswer));

    [Benchmark]
    public RenderedResponse AnthropicAnswerToClient() => Render(_anthropic.ReadResponse(_anthropicRequest, _anthropicAnswer));

    /// <summary>The gateway's event reader over the vendor's stream, each event through the provider's stream translator.</summary>
    [Benchmark]
    public async Task<int> OpenAIStreamParsedAndTranslated()
    {
        var translator = _openAI.CreateStreamTranslator(_openAIStreamRequest);
        var chunks = new List<ReadOnlyMemory<byte>>(4);
        using var stream = new MemoryStream(_openAIStream, writable: false);
        using var reader = new ServerSentEventReader(stream, 1024 * 1024);
        while (await reader.ReadAsync(CancellationToken.None) is { } vendorEvent)
        {
            // True at the vendor's [DONE]: the gateway writes its own once the audit is committed.
            chunks.Clear();
            if (translator.Translate(vendorEvent, chunks))
            {
                break;
            }
        }

        return translator.Result.Content.Length;
    }

    private RenderedResponse Render(ModelResponse answer) =>
        ChatCompletionsAdapter.Instance.RenderAnswer(new CallAnswer("vendor-chat", 1, _openAIRequest.Deployment, DateTimeOffset.UnixEpoch) { Chat = answer });

    private static void Require(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark set-up: " + failure);
        }
    }
}

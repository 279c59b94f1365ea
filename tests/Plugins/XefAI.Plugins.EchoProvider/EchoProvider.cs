using XefAI.Models;

namespace XefAI.Plugins.EchoProvider;

/// <summary>
/// A provider the gateway knows nothing of at build time: it answers by echoing the last user message,
/// so a test can tell its answers from any built-in provider's.
/// </summary>
internal sealed class EchoProvider(TimeProvider time) : IInProcessModelProvider
{
    public const string ModelId = "echo-plugin-1";

    public string Kind => "echo";

    public ValueTask<ModelResponse> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        var last = request.Messages.LastOrDefault(m => m.Role == "user")?.Content ?? string.Empty;
        return ValueTask.FromResult(OpenAIChatCompletion.Create(
            "chatcmpl-echo", ModelId, "echo: " + last, "stop", new TokenUsage(1, 1), time.GetUtcNow()));
    }
}

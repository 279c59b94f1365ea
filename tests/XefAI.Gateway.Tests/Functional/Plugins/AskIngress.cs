using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Functional.Plugins;

/// <summary>
/// A third party's way in, as a plugin assembly would ship it: public types over the public seams only
/// (<see cref="IIngressProtocol"/>, <see cref="IProtocolAdapter"/>), nothing of the gateway's internals. Its protocol:
/// <c>POST /plugin/ask</c> with <c>{"task": "&lt;use case id&gt;", "question": "..."}</c>, answered in plain text.
/// </summary>
/// <remarks>
/// Nothing registers it by hand: the gateway's plugin scan reads every <c>XefAI.*</c> assembly beside its binaries,
/// and this test assembly is one, so every functional test's gateway maps this endpoint, as it would a plugin's.
/// </remarks>
public sealed class AskIngress : IIngressProtocol
{
    public const string Path = "/plugin/ask";

    public string Name => "plugin-ask";

    public void MapEndpoints(IEndpointRouteBuilder endpoints, IGovernedPipeline pipeline) =>
        endpoints.MapPost(Path, httpContext => pipeline.RunAsync(httpContext, AskAdapter.Instance));
}

/// <summary>Translates the ask protocol: it reads the request and writes what the pipeline gives it, and nothing else.</summary>
public sealed class AskAdapter : IProtocolAdapter
{
    private const string PlainText = "text/plain; charset=utf-8";

    public static AskAdapter Instance { get; } = new();

    public string Route => "ask";

    public Translation Translate(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        string? task, question;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Translation.Refuse(CallError.InvalidRequest("invalid_ask", "Send {\"task\": \"<use case>\", \"question\": \"...\"}."));
            }

            task = Text(json.RootElement, "task");
            question = Text(json.RootElement, "question");
        }
        catch (JsonException)
        {
            return Translation.Refuse(CallError.InvalidRequest("invalid_ask", "The body is not JSON; send {\"task\": \"<use case>\", \"question\": \"...\"}."));
        }

        if (string.IsNullOrWhiteSpace(question))
        {
            return Translation.Refuse(CallError.InvalidRequest("missing_question", "Ask a question.", "question"));
        }

        // No OpenAI body: this protocol has none to pass through; the conversation is the question.
        return Translation.Of(new GatewayRequest(task, CallOperation.Chat)
        {
            UseCaseParam = "task",
            Messages = [new ChatMessage("user", question)],
            ClinicalInputsParam = "question",
        });
    }

    public RenderedResponse RenderAnswer(CallAnswer answer) => Plain(StatusCodes.Status200OK, answer.Chat?.Content ?? string.Empty);

    public RenderedResponse RenderHeld(HeldCall held) => Plain(StatusCodes.Status202Accepted, $"Held for clinician review: {held.ReviewId}");

    public RenderedResponse RenderError(CallError error) => Plain(error.StatusCode, $"{error.Code}: {error.Message}");

    private static RenderedResponse Plain(int status, string text) => new(status, PlainText, Encoding.UTF8.GetBytes(text));

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

using System.Text.Json;
using XefAI.Gateway.Configuration;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// OpenAI chat completions, translated: the request (the use case as <c>model</c>, or in the
/// <c>X-XefAI-Use-Case</c> header) into a call, the answer into a chat completion or its stream of chunks, a hold into
/// a review to poll, and errors into OpenAI's error shape. Any OpenAI client reaches the gateway unchanged.
/// </summary>
internal sealed class ChatCompletionsAdapter : IProtocolAdapter
{
    public const string UseCaseHeader = "X-XefAI-Use-Case";

    public static ChatCompletionsAdapter Instance { get; } = new();

    public string Route => Security.AuthRoutes.Chat;

    public IStreamFraming Streaming => ServerSentEvents.Instance;

    public Translation Translate(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        var limits = (httpContext.Features.Get<GatewaySnapshot>() ?? throw new InvalidOperationException("The pipeline sets the call's configuration snapshot.")).Gateway.RequestLimits;
        if (!ChatRequestReader.TryRead(body, limits, out var chat, out var invalid, httpContext))
        {
            return Translation.Refuse(invalid!);
        }

        return Translation.Of(CallOf(httpContext, chat!, "messages"));
    }

    /// <summary>
    /// The call a validated chat request makes: the use case from the header, or else <c>model</c>; the request field
    /// holding the clinical data is <paramref name="inputsParam"/>, as the client's protocol names it.
    /// </summary>
    internal static GatewayRequest CallOf(HttpContext httpContext, ChatRequest chat, string inputsParam)
    {
        var header = httpContext.Request.Headers[UseCaseHeader].FirstOrDefault();
        return new GatewayRequest(header is { Length: > 0 } ? header : chat.Model, CallOperation.Chat)
        {
            UseCaseParam = "model",
            Messages = chat.Messages,
            Options = chat.Options,
            Body = chat.Body,
            ClinicalInputsParam = inputsParam,
            UserId = chat.Options.User,
        };
    }

    public RenderedResponse RenderAnswer(CallAnswer answer) =>
        Json(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(answer.Chat!.Completion));

    public RenderedResponse RenderHeld(HeldCall held) => Reviews.PendingReview.Render(held);

    public RenderedResponse RenderError(CallError error) => Json(error.StatusCode, error.ToUtf8Json());

    private static RenderedResponse Json(int status, byte[] body) => new(status, "application/json", body);
}

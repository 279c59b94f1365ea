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

        var header = httpContext.Request.Headers[UseCaseHeader].FirstOrDefault();
        return Translation.Of(new GatewayRequest(header is { Length: > 0 } ? header : chat!.Model, CallOperation.Chat)
        {
            UseCaseParam = "model",
            Messages = chat!.Messages,
            Options = chat.Options,
            Body = chat.Body,
            ClinicalInputsParam = "messages",
            UserId = chat.Options.User,
        });
    }

    public RenderedResponse RenderAnswer(CallAnswer answer) =>
        Json(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(answer.Chat!.Completion));

    public RenderedResponse RenderHeld(HeldCall held) => Reviews.PendingReview.Render(held);

    public RenderedResponse RenderError(CallError error) => Json(error.StatusCode, error.ToUtf8Json());

    private static RenderedResponse Json(int status, byte[] body) => new(status, "application/json", body);
}

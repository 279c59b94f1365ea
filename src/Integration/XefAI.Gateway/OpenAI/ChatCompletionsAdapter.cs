using System.Diagnostics.CodeAnalysis;
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

        return CallOf(httpContext, chat!, "messages");
    }

    /// <summary>
    /// The call a validated chat request makes: the use case from the header, or else <c>model</c>; the request field
    /// holding the clinical data is <paramref name="inputsParam"/>, as the client's protocol names it. A header naming
    /// two use cases is refused.
    /// </summary>
    internal static Translation CallOf(HttpContext httpContext, ChatRequest chat, string inputsParam)
    {
        if (!TryReadUseCaseHeader(httpContext, out var header, out var conflict))
        {
            return Translation.Refuse(conflict);
        }

        return Translation.Of(new GatewayRequest(header ?? chat.Model, CallOperation.Chat)
        {
            UseCaseParam = "model",
            Messages = chat.Messages,
            Options = chat.Options,
            Body = chat.Body,
            ClinicalInputsParam = inputsParam,
            UserId = chat.Options.User,
        });
    }

    /// <summary>
    /// The use case the <c>X-XefAI-Use-Case</c> header names, null when it names none. Sent twice with different
    /// values (a client and a proxy each adding one), it is refused rather than read as whichever came first: which
    /// use case, and so which tier and policies, govern a call must never depend on header order.
    /// </summary>
    internal static bool TryReadUseCaseHeader(HttpContext httpContext, out string? useCase, [NotNullWhen(false)] out CallError? error)
    {
        useCase = null;
        error = null;
        foreach (var value in httpContext.Request.Headers[UseCaseHeader])
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (useCase is null)
            {
                useCase = value;
            }
            else if (!string.Equals(useCase, value, StringComparison.Ordinal))
            {
                useCase = null;
                error = CallError.InvalidRequest(
                    "invalid_value", $"The '{UseCaseHeader}' header is sent more than once with different use cases; send it once.", UseCaseHeader);
                return false;
            }
        }

        return true;
    }

    public RenderedResponse RenderAnswer(CallAnswer answer) =>
        Json(
            StatusCodes.Status200OK,
            answer.DisposeWithCall is { } disposeWithCall
                ? Pipeline.CallBuffer.SerializeJson(answer.Chat!.Completion, disposeWithCall)
                : JsonSerializer.SerializeToUtf8Bytes(answer.Chat!.Completion));

    public RenderedResponse RenderHeld(HeldCall held) => Reviews.PendingReview.Render(held);

    public RenderedResponse RenderError(CallError error) => Json(error.StatusCode, error.ToUtf8Json());

    private static RenderedResponse Json(int status, ReadOnlyMemory<byte> body) => new(status, "application/json", body);
}

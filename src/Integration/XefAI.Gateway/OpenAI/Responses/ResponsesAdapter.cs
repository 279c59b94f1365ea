using XefAI.Gateway.Configuration;
using XefAI.Gateway.Security;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI.Responses;

/// <summary>
/// OpenAI's Responses API (<c>POST /v1/responses</c>), translated: the request into the chat call it asks for (the use
/// case as <c>model</c>, or in the <c>X-XefAI-Use-Case</c> header), governed like any chat call, and the answer into a
/// <c>response</c> object or its stream of semantic events. The official OpenAI SDKs' <c>responses.create</c> and
/// <c>responses.stream</c> reach the gateway unchanged.
/// </summary>
/// <remarks>
/// One instance serves one call: the response's id, time and the request's settings it echoes are the call's, and its
/// stream framing keeps the events' sequence and the items they opened.
/// </remarks>
internal sealed class ResponsesAdapter(TimeProvider time) : IProtocolAdapter
{
    private ResponseObject? _response;
    private ResponseEvents? _events;

    public string Route => AuthRoutes.Chat;

    public IStreamFraming Streaming => _events ??= new ResponseEvents(Response);

    private ResponseObject Response => _response ??= new ResponseObject([], time);

    public Translation Translate(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        var gateway = (httpContext.Features.Get<GatewaySnapshot>() ?? throw new InvalidOperationException("The pipeline sets the call's configuration snapshot.")).Gateway;
        if (!OpenAIJsonBody.TryParseObject(body, gateway.MaxJsonDepth, httpContext, out var request, out var invalid))
        {
            return Translation.Refuse(invalid);
        }

        if (!ResponsesRequestTranslator.TryTranslate(request, out var chatBody, out var sources, out var error))
        {
            return Translation.Refuse(error!);
        }

        _response = new ResponseObject(request, time);

        // The chat form is checked by the chat rules; a fault in a message is named by the input item it came from.
        if (!ChatRequestReader.TryRead(chatBody, gateway.RequestLimits, out var chat, out var chatError))
        {
            return Translation.Refuse(InResponsesTerms(chatError!, sources));
        }

        return ChatCompletionsAdapter.CallOf(httpContext, chat!, "input");
    }

    public RenderedResponse RenderAnswer(CallAnswer answer) =>
        new(StatusCodes.Status200OK, "application/json", ResponseObject.From(Response.Request, answer.Chat!, time).ToUtf8Json(completed: true));

    public RenderedResponse RenderHeld(HeldCall held) => Reviews.PendingReview.Render(held);

    public RenderedResponse RenderError(CallError error) => new(error.StatusCode, "application/json", error.ToUtf8Json());

    // The chat fields that the Responses API names otherwise.
    private static readonly (string Chat, string Responses)[] RenamedFields =
    [
        ("max_completion_tokens", "max_output_tokens"),
        ("response_format.json_schema", "text.format"),
        ("response_format", "text.format"),
        ("reasoning_effort", "reasoning.effort"),
    ];

    /// <summary>The chat rules' error with <c>messages[i]</c> and renamed fields named as the Responses request has them.</summary>
    private static CallError InResponsesTerms(CallError error, List<string> sources)
    {
        var message = error.Message;
        var param = error.Param;
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            var chatPath = $"messages[{i}]";
            message = message.Replace(chatPath, sources[i], StringComparison.Ordinal);
            if (param is not null && (param == chatPath || param.StartsWith(chatPath + ".", StringComparison.Ordinal) || param.StartsWith(chatPath + "[", StringComparison.Ordinal)))
            {
                param = sources[i] + param[chatPath.Length..];
            }
        }

        message = message.Replace("'messages'", "'input'", StringComparison.Ordinal);
        param = param == "messages" ? "input" : param;
        foreach (var (chatName, responsesName) in RenamedFields)
        {
            message = message.Replace($"'{chatName}", $"'{responsesName}", StringComparison.Ordinal);
            if (param is not null && param.StartsWith(chatName, StringComparison.Ordinal))
            {
                param = responsesName + param[chatName.Length..];
            }
        }

        return error with { Message = message, Param = param };
    }
}

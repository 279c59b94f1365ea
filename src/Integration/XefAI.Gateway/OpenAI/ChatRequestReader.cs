using System.Text.Json.Nodes;
using XefAI.Gateway.Configuration;
using XefAI.Integration;
using XefAI.Models;
using static XefAI.Gateway.OpenAI.JsonFields;

namespace XefAI.Gateway.OpenAI;

/// <summary>A validated OpenAI chat completion request.</summary>
/// <param name="Body">The request as parsed, passed through to OpenAI-compatible vendors.</param>
/// <param name="Model">The <c>model</c> field: the use case, unless the header names one.</param>
/// <param name="Messages">The messages, text parts joined.</param>
/// <param name="Options">Sampling options.</param>
/// <param name="Stream">Whether the client asked for server-sent events.</param>
internal sealed record ChatRequest(JsonObject Body, string? Model, IReadOnlyList<ChatMessage> Messages, ChatOptions Options, bool Stream);

/// <summary>
/// Parses and validates a chat completion request against the OpenAI schema, naming the first field at
/// fault the way OpenAI does (<c>messages[1].role</c>), so a developer can fix the call from the message alone.
/// </summary>
internal static class ChatRequestReader
{
    // What a refused request's options read as: never used, so one instance, not one per refusal check.
    private static readonly ChatOptions NoOptions = new();

    /// <param name="utf8">The request body.</param>
    /// <param name="limits">The configured limits.</param>
    /// <param name="request">The request, when valid.</param>
    /// <param name="error">The first fault, when not.</param>
    /// <param name="owner">The HTTP request whose end may dispose of the parsed body (see <see cref="OpenAIJsonBody.TryParseObject"/>).</param>
    public static bool TryRead(ReadOnlyMemory<byte> utf8, RequestLimits limits, out ChatRequest? request, out CallError? error, HttpContext? owner = null)
    {
        request = null;
        return OpenAIJsonBody.TryParseObject(utf8, limits.MaxJsonDepth, owner, out var body, out error)
            && TryRead(body, limits, out request, out error);
    }

    /// <summary>
    /// As <see cref="TryRead(ReadOnlyMemory{byte}, RequestLimits, out ChatRequest?, out CallError?, HttpContext?)"/>, for
    /// a body already parsed from a guarded request: the chat request another protocol's request was written as.
    /// </summary>
    public static bool TryRead(JsonObject body, RequestLimits limits, out ChatRequest? request, out CallError? error)
    {
        request = null;
        error = Validate(body, limits, out var model, out var messages, out var options, out var stream)
            ?? ChatFieldRules.Check(body);
        if (error is not null)
        {
            return false;
        }

        request = new ChatRequest(body, model, messages, options, stream);
        return true;
    }

    private static CallError? Validate(
        JsonObject body, RequestLimits limits, out string? model, out List<ChatMessage> messages, out ChatOptions options, out bool stream)
    {
        model = null;
        messages = [];
        options = NoOptions;
        stream = false;

        if (body.TryGetPropertyValue("model", out var modelNode) && modelNode is not null)
        {
            if (!TryGetString(modelNode, out model))
            {
                return WrongType("model", "a string");
            }
        }

        if (!body.TryGetPropertyValue("messages", out var messagesNode) || messagesNode is null)
        {
            return CallError.InvalidRequest("missing_required_parameter", "Missing required parameter: 'messages'.", "messages");
        }

        if (messagesNode is not JsonArray array)
        {
            return WrongType("messages", "an array of message objects");
        }

        if (array.Count == 0)
        {
            return CallError.InvalidRequest("empty_array", "'messages' must contain at least one message.", "messages");
        }

        if (array.Count > limits.MaxMessages)
        {
            return CallError.InvalidRequest(
                "too_many_messages", $"'messages' holds {array.Count} messages; this gateway accepts at most {limits.MaxMessages}.", "messages");
        }

        for (var i = 0; i < array.Count; i++)
        {
            var error = ChatMessageReader.Read(array[i], i, out var message);
            if (error is not null)
            {
                return error;
            }

            messages.Add(message!);
        }

        if (!TryGetOptionalBool(body, "stream", out stream))
        {
            return WrongType("stream", "a boolean");
        }

        var includeUsage = false;
        if (body.TryGetPropertyValue("stream_options", out var streamOptions) && streamOptions is not null)
        {
            if (streamOptions is not JsonObject streamObject || !TryGetOptionalBool(streamObject, "include_usage", out includeUsage))
            {
                return WrongType("stream_options", "an object like {\"include_usage\": true}");
            }

            if (!stream)
            {
                return CallError.InvalidRequest(
                    "invalid_value", "'stream_options' is only allowed when 'stream' is true.", "stream_options");
            }
        }

        if (!TryGetOptionalNumber(body, "temperature", 0, 2, out var temperature))
        {
            return OutOfRange("temperature", "a number from 0 to 2");
        }

        if (!TryGetOptionalNumber(body, "top_p", 0, 1, out var topP))
        {
            return OutOfRange("top_p", "a number from 0 to 1");
        }

        if (!TryGetOptionalPositiveInt(body, "max_completion_tokens", out var maxCompletionTokens))
        {
            return OutOfRange("max_completion_tokens", "a positive integer");
        }

        if (!TryGetOptionalPositiveInt(body, "max_tokens", out var maxTokensField))
        {
            return OutOfRange("max_tokens", "a positive integer");
        }

        // Both fields reach the vendor, and vendors differ in which one they honour: the larger is what the call
        // may ask for, so a small value in one field cannot carry a large one in the other past the tier's cap.
        var maxTokens = maxCompletionTokens is { } completion && maxTokensField is { } legacy
            ? Math.Max(completion, legacy)
            : maxCompletionTokens ?? maxTokensField;

        if (!TryGetOptionalPositiveInt(body, "n", out var n))
        {
            return OutOfRange("n", "a positive integer");
        }

        if (n > 1)
        {
            return CallError.InvalidRequest("unsupported_value", "Only n = 1 is supported: the audit trail records one answer per call.", "n");
        }

        var stopError = ReadStop(body, out var stop);
        if (stopError is not null)
        {
            return stopError;
        }

        string? user = null;
        if (body.TryGetPropertyValue("user", out var userNode) && userNode is not null && !TryGetString(userNode, out user))
        {
            return WrongType("user", "a string");
        }

        options = new ChatOptions(temperature, topP, maxTokens, stop, user, stream, includeUsage);
        return null;
    }

    private static CallError? ReadStop(JsonObject body, out IReadOnlyList<string>? stop)
    {
        stop = null;
        if (!body.TryGetPropertyValue("stop", out var node) || node is null)
        {
            return null;
        }

        if (TryGetString(node, out var single))
        {
            stop = [single!];
            return null;
        }

        if (node is JsonArray array && array.Count <= 4)
        {
            var list = new List<string>(array.Count);
            foreach (var item in array)
            {
                if (item is null || !TryGetString(item, out var s))
                {
                    return WrongType("stop", "a string or an array of up to 4 strings");
                }

                list.Add(s!);
            }

            stop = list;
            return null;
        }

        return WrongType("stop", "a string or an array of up to 4 strings");
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Gateway.Configuration;
using XefAI.Integration;
using XefAI.Models;

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
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    public static bool TryRead(ReadOnlyMemory<byte> utf8, RequestLimits limits, out ChatRequest? request, out CallError? error)
    {
        request = null;
        error = JsonBodyGuard.Check(utf8.Span, limits.MaxJsonDepth);
        if (error is not null)
        {
            return false;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8.Span, NodeOptions, new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth });
        }
        catch (JsonException ex)
        {
            error = CallError.InvalidRequest(
                "invalid_json",
                $"The request body is not valid JSON: {ex.Message.Split(" Path:", 2)[0]} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).");
            return false;
        }

        if (node is not JsonObject body)
        {
            error = CallError.InvalidRequest("invalid_request", "The request body must be a JSON object.");
            return false;
        }

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
        options = new ChatOptions();
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
            var error = ReadMessage(array[i], i, out var message);
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

    private static CallError? ReadMessage(JsonNode? node, int index, out ChatMessage? message)
    {
        message = null;
        var path = $"messages[{index}]";
        if (node is not JsonObject obj)
        {
            return WrongType(path, "a message object");
        }

        if (!obj.TryGetPropertyValue("role", out var roleNode) || roleNode is null)
        {
            return CallError.InvalidRequest("missing_required_parameter", $"Missing required parameter: '{path}.role'.", $"{path}.role");
        }

        if (!TryGetString(roleNode, out var role) || !Roles.Contains(role!))
        {
            return CallError.InvalidRequest(
                "invalid_value",
                $"Invalid value for '{path}.role': expected one of system, developer, user, assistant, tool.",
                $"{path}.role");
        }

        string? name = null;
        if (obj.TryGetPropertyValue("name", out var nameNode) && nameNode is not null && !TryGetString(nameNode, out name))
        {
            return WrongType($"{path}.name", "a string");
        }

        if (ChatFieldRules.CheckMessage(obj, role!, path) is { } fieldError)
        {
            return fieldError;
        }

        obj.TryGetPropertyValue("content", out var contentNode);
        string content;
        switch (contentNode)
        {
            case null when role is "assistant" && obj.ContainsKey("tool_calls"):
                content = string.Empty;
                break;
            case null:
                return CallError.InvalidRequest(
                    "missing_required_parameter", $"Missing required parameter: '{path}.content'.", $"{path}.content");
            case JsonValue value when value.TryGetValue<string>(out var text):
                content = text;
                break;
            case JsonArray parts:
                var error = JoinTextParts(parts, $"{path}.content", out content);
                if (error is not null)
                {
                    return error;
                }

                break;
            default:
                return WrongType($"{path}.content", "a string or an array of content parts");
        }

        message = new ChatMessage(role!, content, name);
        return null;
    }

    private static CallError? JoinTextParts(JsonArray parts, string path, out string content)
    {
        var text = new StringBuilder();
        content = string.Empty;
        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i] is not JsonObject part || !part.TryGetPropertyValue("type", out var typeNode) || !TryGetString(typeNode!, out var type))
            {
                return WrongType($"{path}[{i}]", "a content part object with a string 'type'");
            }

            if (ChatFieldRules.CheckPart(part, type!, $"{path}[{i}]") is { } partError)
            {
                return partError;
            }

            if (type == "text")
            {
                if (!part.TryGetPropertyValue("text", out var textNode) || textNode is null || !TryGetString(textNode, out var partText))
                {
                    return WrongType($"{path}[{i}].text", "a string");
                }

                if (text.Length > 0)
                {
                    text.Append('\n');
                }

                text.Append(partText);
            }
        }

        content = text.ToString();
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

    private static bool TryGetString(JsonNode node, out string? value)
    {
        value = null;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.TryGetValue(out value);
    }

    private static bool TryGetOptionalBool(JsonObject body, string name, out bool value)
    {
        value = false;
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            value = v.GetValue<bool>();
            return true;
        }

        return false;
    }

    private static bool TryGetOptionalNumber(JsonObject body, string name, double min, double max, out double? value)
    {
        value = null;
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d >= min && d <= max)
        {
            value = d;
            return true;
        }

        return false;
    }

    private static bool TryGetOptionalPositiveInt(JsonObject body, string name, out int? value)
    {
        value = null;
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) && i > 0)
        {
            value = i;
            return true;
        }

        return false;
    }

    private static CallError WrongType(string param, string expected) =>
        CallError.InvalidRequest("invalid_type", $"Invalid type for '{param}': expected {expected}.", param);

    private static CallError OutOfRange(string param, string expected) =>
        CallError.InvalidRequest("invalid_value", $"Invalid value for '{param}': expected {expected}.", param);
}

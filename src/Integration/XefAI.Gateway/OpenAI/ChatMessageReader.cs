using System.Text;
using System.Text.Json.Nodes;
using XefAI.Integration;
using XefAI.Models;
using static XefAI.Gateway.OpenAI.JsonFields;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// Reads one message of a chat request: its role and name, its content as text (text and refusal parts, and an assistant's
/// <c>refusal</c>, joined by line breaks), and the fields OpenAI allows on a message of that role.
/// </summary>
internal static class ChatMessageReader
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    // "messages[i]" names the message in errors; the usual conversation's are made once, not on every call.
    private static readonly string[] Paths = [.. Enumerable.Range(0, 32).Select(i => $"messages[{i}]")];

    public static CallError? Read(JsonNode? node, int index, out ChatMessage? message)
    {
        message = null;
        var path = index < Paths.Length ? Paths[index] : $"messages[{index}]";
        if (node is not JsonObject obj)
        {
            return WrongType(path, "a message object");
        }

        if (!obj.TryGetPropertyValue("role", out var roleNode) || roleNode is null)
        {
            return CallError.InvalidRequest("missing_required_parameter", $"Missing required parameter: '{path}.role'.", $"{path}.role");
        }

        if (!TryGetKnownString(roleNode, Roles, out var role))
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

        if (ChatMessageRules.CheckMessage(obj, role!, path) is { } fieldError)
        {
            return fieldError;
        }

        obj.TryGetPropertyValue("content", out var contentNode);
        var refusal = obj.TryGetPropertyValue("refusal", out var refusalNode) && refusalNode is not null && TryGetString(refusalNode, out var said) ? said : null;
        string content;
        switch (contentNode)
        {
            // OpenAI answers a refusal, a tool call or a legacy function call with a null content; clients send that
            // message back in the history as it came.
            case null when role is "assistant" && (obj.ContainsKey("tool_calls") || obj.ContainsKey("function_call") || refusal is not null):
                content = string.Empty;
                break;
            case null:
                return CallError.InvalidRequest(
                    "missing_required_parameter", $"Missing required parameter: '{path}.content'.", $"{path}.content");
            case JsonValue value when TryGetString(value, out var text):
                content = text!;
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

        // A refusal is text the model wrote: it belongs to the message's text, which is what is de-identified.
        if (refusal is { Length: > 0 })
        {
            content = content.Length > 0 ? content + "\n" + refusal : refusal;
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

            if (ChatMessageRules.CheckPart(part, type!, $"{path}[{i}]") is { } partError)
            {
                return partError;
            }

            // A refusal part is text too (CheckPart has checked that its 'refusal' is a string).
            if (type is "text" or "refusal")
            {
                if (!part.TryGetPropertyValue(type, out var textNode) || textNode is null || !TryGetString(textNode, out var partText))
                {
                    return WrongType($"{path}[{i}].{type}", "a string");
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
}

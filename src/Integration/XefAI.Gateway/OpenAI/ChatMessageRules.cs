using System.Text.Json.Nodes;
using XefAI.Integration;
using static XefAI.Gateway.OpenAI.ChatFieldRules;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// Type checks of what a chat message may hold besides its role and content (tool calls, tool results) and of its
/// content parts, so a vendor never gets a message it would refuse with a 400 the client cannot place.
/// </summary>
internal static class ChatMessageRules
{
    private static readonly string[] PartTypes = ["text", "image_url", "input_audio", "file", "refusal"];

    /// <summary>The fields of one message beyond role and content: tool calls, a refusal and tool results.</summary>
    public static CallError? CheckMessage(JsonObject message, string role, string path)
    {
        if (message.TryGetPropertyValue("tool_calls", out var calls) && calls is not null)
        {
            if (role != "assistant")
            {
                return CallError.InvalidRequest("invalid_value", $"'{path}.tool_calls' is only allowed on assistant messages.", $"{path}.tool_calls");
            }

            if (calls is not JsonArray array)
            {
                return Invalid($"{path}.tool_calls", "an array of tool calls");
            }

            for (var i = 0; i < array.Count; i++)
            {
                var call = $"{path}.tool_calls[{i}]";
                if (array[i] is not JsonObject item)
                {
                    return Invalid(call, "a tool call object");
                }

                if (!item.TryGetPropertyValue("id", out var id) || !IsString(id))
                {
                    return Invalid($"{call}.id", "a string");
                }

                if (item.TryGetPropertyValue("type", out var type) && type is not null && !IsString(type))
                {
                    return Invalid($"{call}.type", "a string");
                }

                // A custom tool's call (OpenAI's free-form tools) carries its name and its input text, not a function. Where
                // the call must be de-identified, the protect step refuses it: its input is text the gateway cannot restore.
                if (type is not null && type.GetValue<string>() == "custom")
                {
                    if (CheckCustomCall(item, call) is { } customError)
                    {
                        return customError;
                    }

                    continue;
                }

                if (!item.TryGetPropertyValue("function", out var function) || function is not JsonObject fn)
                {
                    return Invalid($"{call}.function", "an object with 'name' and 'arguments'");
                }

                if (!fn.TryGetPropertyValue("name", out var name) || !IsString(name))
                {
                    return Invalid($"{call}.function.name", "a string");
                }

                if (!fn.TryGetPropertyValue("arguments", out var arguments) || !IsString(arguments))
                {
                    return Invalid($"{call}.function.arguments", "a string holding JSON");
                }
            }
        }

        // The model's refusal, as OpenAI answers it and clients send it back in the history.
        if (message.TryGetPropertyValue("refusal", out var refusal) && refusal is not null && !IsString(refusal))
        {
            return Invalid($"{path}.refusal", "a string");
        }

        var hasToolCallId = message.TryGetPropertyValue("tool_call_id", out var toolCallId) && toolCallId is not null;
        if (hasToolCallId && !IsString(toolCallId))
        {
            return Invalid($"{path}.tool_call_id", "a string");
        }

        if (role == "tool" && !hasToolCallId)
        {
            return CallError.InvalidRequest(
                "missing_required_parameter", $"Missing required parameter: '{path}.tool_call_id'.", $"{path}.tool_call_id");
        }

        return null;
    }

    /// <summary>A custom tool call: <c>{"type": "custom", "custom": {"name": "...", "input": "..."}}</c>.</summary>
    private static CallError? CheckCustomCall(JsonObject item, string call)
    {
        if (!item.TryGetPropertyValue("custom", out var custom) || custom is not JsonObject tool)
        {
            return Invalid($"{call}.custom", "an object with 'name' and 'input'");
        }

        if (!tool.TryGetPropertyValue("name", out var name) || !IsString(name))
        {
            return Invalid($"{call}.custom.name", "a string");
        }

        return !tool.TryGetPropertyValue("input", out var input) || !IsString(input) ? Invalid($"{call}.custom.input", "a string") : null;
    }

    /// <summary>A content part: its type must be one OpenAI defines, with the member that type requires.</summary>
    public static CallError? CheckPart(JsonObject part, string type, string path)
    {
        if (Array.IndexOf(PartTypes, type) < 0)
        {
            return CallError.InvalidRequest(
                "invalid_value", $"Invalid value for '{path}.type': expected one of {string.Join(", ", PartTypes)}.", $"{path}.type");
        }

        return type switch
        {
            "image_url" when !part.TryGetPropertyValue("image_url", out var image) || image is not JsonObject imageObject
                || !imageObject.TryGetPropertyValue("url", out var url) || !IsString(url)
                => Invalid($"{path}.image_url", "an object with a string 'url'"),
            "input_audio" when !part.TryGetPropertyValue("input_audio", out var audio) || audio is not JsonObject
                => Invalid($"{path}.input_audio", "an object with 'data' and 'format'"),
            "file" when !part.TryGetPropertyValue("file", out var file) || file is not JsonObject
                => Invalid($"{path}.file", "an object"),
            "refusal" when !part.TryGetPropertyValue("refusal", out var refusal) || !IsString(refusal)
                => Invalid($"{path}.refusal", "a string"),
            _ => null,
        };
    }
}

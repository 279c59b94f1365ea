using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// Type checks of the OpenAI chat fields the gateway passes through to vendors. A field of the wrong type
/// would make the vendor answer 400; checking here names the field in the client's terms, costs no vendor
/// call, and keeps one app's bad requests from looking like a vendor failing.
/// Fields the gateway does not know are passed through untouched: OpenAI-compatible servers add their own.
/// </summary>
internal static class ChatFieldRules
{
    private static readonly string[] ToolChoiceWords = ["none", "auto", "required"];
    private static readonly string[] ResponseFormatTypes = ["text", "json_object", "json_schema"];
    private static readonly string[] PartTypes = ["text", "image_url", "input_audio", "file", "refusal"];

    private static readonly (string Name, Func<JsonNode, string?> Rule)[] TopLevel =
    [
        ("frequency_penalty", n => Number(n, -2, 2, "a number from -2 to 2")),
        ("presence_penalty", n => Number(n, -2, 2, "a number from -2 to 2")),
        ("seed", n => Integer(n, long.MinValue, long.MaxValue, "an integer")),
        ("logprobs", Bool),
        ("top_logprobs", n => Integer(n, 0, 20, "an integer from 0 to 20")),
        ("logit_bias", LogitBias),
        ("response_format", ResponseFormat),
        ("tools", Tools),
        ("tool_choice", ToolChoice),
        ("parallel_tool_calls", Bool),
        ("metadata", Metadata),
        ("store", Bool),
        ("service_tier", String),
        ("reasoning_effort", String),
        ("verbosity", String),
        ("prompt_cache_key", String),
        ("safety_identifier", String),
        ("modalities", StringArray),
        ("prediction", Object),
        ("audio", Object),
        ("web_search_options", Object),
        ("functions", n => ObjectArray(n, "an array of function objects")),
        ("function_call", n => n is JsonObject || IsString(n) ? null : "a string or an object"),
    ];

    /// <returns>The error naming the first field of a wrong type or value, or null.</returns>
    public static CallError? Check(JsonObject body)
    {
        foreach (var (name, rule) in TopLevel)
        {
            if (body.TryGetPropertyValue(name, out var node) && node is not null && rule(node) is { } expected)
            {
                return Invalid(name, expected);
            }
        }

        return null;
    }

    /// <summary>The fields of one message beyond role and content: tool calls and tool results.</summary>
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

    private static string? Tools(JsonNode node)
    {
        if (node is not JsonArray tools)
        {
            return "an array of tool objects";
        }

        foreach (var tool in tools)
        {
            if (tool is not JsonObject obj || !obj.TryGetPropertyValue("type", out var type) || !IsString(type))
            {
                return "an array of tool objects, each with a string 'type'";
            }

            if (type!.GetValue<string>() != "function")
            {
                continue;
            }

            if (!obj.TryGetPropertyValue("function", out var function) || function is not JsonObject fn
                || !fn.TryGetPropertyValue("name", out var name) || !IsString(name))
            {
                return "function tools of the shape {\"type\":\"function\",\"function\":{\"name\":\"...\"}}";
            }

            if (fn.TryGetPropertyValue("parameters", out var parameters) && parameters is not null and not JsonObject)
            {
                return "function tools whose 'parameters' is a JSON Schema object";
            }

            if (fn.TryGetPropertyValue("description", out var description) && description is not null && !IsString(description))
            {
                return "function tools whose 'description' is a string";
            }
        }

        return null;
    }

    private static string? ToolChoice(JsonNode node)
    {
        const string Expected = "\"none\", \"auto\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":\"...\"}}";
        if (IsString(node))
        {
            return Array.IndexOf(ToolChoiceWords, node.GetValue<string>()) >= 0 ? null : Expected;
        }

        if (node is not JsonObject obj || !obj.TryGetPropertyValue("type", out var type) || !IsString(type))
        {
            return Expected;
        }

        return type!.GetValue<string>() == "function"
            && (!obj.TryGetPropertyValue("function", out var function) || function is not JsonObject fn
                || !fn.TryGetPropertyValue("name", out var name) || !IsString(name))
            ? Expected
            : null;
    }

    private static string? ResponseFormat(JsonNode node)
    {
        const string Expected = "an object whose 'type' is text, json_object or json_schema";
        if (node is not JsonObject obj || !obj.TryGetPropertyValue("type", out var type) || !IsString(type)
            || Array.IndexOf(ResponseFormatTypes, type!.GetValue<string>()) < 0)
        {
            return Expected;
        }

        return type.GetValue<string>() == "json_schema"
            && (!obj.TryGetPropertyValue("json_schema", out var schema) || schema is not JsonObject schemaObject
                || !schemaObject.TryGetPropertyValue("name", out var name) || !IsString(name))
            ? "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"...\",\"schema\":{...}}}"
            : null;
    }

    private static string? LogitBias(JsonNode node)
    {
        if (node is not JsonObject obj)
        {
            return "an object mapping token ids to numbers from -100 to 100";
        }

        foreach (var (_, value) in obj)
        {
            if (value is null || Number(value, -100, 100, string.Empty) is not null)
            {
                return "an object mapping token ids to numbers from -100 to 100";
            }
        }

        return null;
    }

    private static string? Metadata(JsonNode node)
    {
        if (node is not JsonObject obj)
        {
            return "an object of string values";
        }

        foreach (var (_, value) in obj)
        {
            if (!IsString(value))
            {
                return "an object of string values";
            }
        }

        return null;
    }

    private static string? Number(JsonNode node, double min, double max, string expected) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d >= min && d <= max
            ? null
            : expected;

    private static string? Integer(JsonNode node, long min, long max, string expected) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var i) && i >= min && i <= max
            ? null
            : expected;

    private static string? Bool(JsonNode node) =>
        node.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? null : "a boolean";

    private static string? String(JsonNode node) => IsString(node) ? null : "a string";

    private static string? Object(JsonNode node) => node is JsonObject ? null : "an object";

    private static string? StringArray(JsonNode node) =>
        node is JsonArray array && array.All(IsString) ? null : "an array of strings";

    private static string? ObjectArray(JsonNode node, string expected) =>
        node is JsonArray array && array.All(item => item is JsonObject) ? null : expected;

    private static bool IsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    private static CallError Invalid(string param, string expected) =>
        CallError.InvalidRequest("invalid_type", $"Invalid type or value for '{param}': expected {expected}.", param);
}

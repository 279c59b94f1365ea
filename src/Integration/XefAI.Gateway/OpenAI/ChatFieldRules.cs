using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// Type checks of the OpenAI chat fields the gateway passes through to vendors. A field of the wrong type
/// would make the vendor answer 400; checking here names the field in the client's terms, costs no vendor
/// call, and keeps one app's bad requests from looking like a vendor failing.
/// Fields the gateway does not know are passed through untouched to a vendor that may see PHI: OpenAI-compatible
/// servers add their own (a call that is de-identified may carry only those whose values hold no text).
/// Two are refused whatever the vendor: web search, which the vendor's model runs on its own past governance, and
/// audio answers, which the audit trail could not record as text.
/// </summary>
internal static class ChatFieldRules
{
    private static readonly string[] ToolChoiceWords = ["none", "auto", "required"];
    private static readonly string[] ResponseFormatTypes = ["text", "json_object", "json_schema"];

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

    /// <summary>
    /// The chat request's fields that the gateway reads, checks or protects: those <see cref="ChatRequestReader"/> reads,
    /// and those checked here. Any other is one it does not know.
    /// </summary>
    public static readonly FrozenSet<string> KnownFields =
        TopLevel.Select(rule => rule.Name)
            .Concat(["model", "messages", "stream", "stream_options", "temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "stop", "user"])
            .ToFrozenSet(StringComparer.Ordinal);

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

        if (body.TryGetPropertyValue("web_search_options", out var search) && search is not null)
        {
            return CallError.InvalidRequest(
                "unsupported_parameter",
                "'web_search_options' is not supported: the vendor's model would search the web on its own, outside this gateway's policies and audit trail. Send the sources it should use in the messages.",
                "web_search_options");
        }

        if ((body.TryGetPropertyValue("audio", out var audio) && audio is not null)
            || (body["modalities"] is JsonArray modalities && modalities.Any(m => IsString(m) && m!.GetValue<string>() == "audio")))
        {
            return CallError.InvalidRequest(
                "unsupported_parameter",
                "Audio answers are not supported: the audit trail records what a model answered as text. Ask for text ('modalities': ['text']).",
                body.ContainsKey("audio") ? "audio" : "modalities");
        }

        return null;
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

    internal static bool IsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    internal static CallError Invalid(string param, string expected) =>
        CallError.InvalidRequest("invalid_type", $"Invalid type or value for '{param}': expected {expected}.", param);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>Reads one JSON value of a request as OpenAI's schema types it, and words the error OpenAI's way when it is not.</summary>
internal static class JsonFields
{
    public static bool TryGetString(JsonNode node, out string? value)
    {
        value = null;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
        {
            return false;
        }

        // A value parsed from the body is read from its element: TryGetValue<string> on it boxes the element first.
        if (v.TryGetValue<JsonElement>(out var element))
        {
            value = element.GetString();
            return value is not null;
        }

        return v.TryGetValue(out value);
    }

    /// <summary>
    /// The string <paramref name="node"/> holds when it is one of <paramref name="known"/>, as that instance: a
    /// value parsed from the body is compared where it lies, not copied into a string of its own.
    /// </summary>
    public static bool TryGetKnownString(JsonNode node, string[] known, out string? value)
    {
        if (node is JsonValue v && v.TryGetValue<JsonElement>(out var element))
        {
            value = null;
            if (element.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            foreach (var candidate in known)
            {
                if (element.ValueEquals(candidate))
                {
                    value = candidate;
                    return true;
                }
            }

            return false;
        }

        return TryGetString(node, out value) && Array.IndexOf(known, value) >= 0;
    }

    public static bool TryGetOptionalBool(JsonObject body, string name, out bool value)
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

    public static bool TryGetOptionalNumber(JsonObject body, string name, double min, double max, out double? value)
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

    public static bool TryGetOptionalPositiveInt(JsonObject body, string name, out int? value)
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

    public static CallError WrongType(string param, string expected) =>
        CallError.InvalidRequest("invalid_type", $"Invalid type for '{param}': expected {expected}.", param);

    public static CallError OutOfRange(string param, string expected) =>
        CallError.InvalidRequest("invalid_value", $"Invalid value for '{param}': expected {expected}.", param);
}

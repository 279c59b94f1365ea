using System.Text.Json.Nodes;
using XefAI.Data;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// The texts of a JSON schema that the model reads: annotations (<c>title</c>, <c>description</c>) and values it may be
/// asked to choose or copy (<c>enum</c>, <c>const</c>, <c>default</c>, <c>examples</c>, every string inside them). Property
/// names and the keywords that shape the JSON (<c>type</c>, <c>format</c>, <c>pattern</c>, <c>required</c>, <c>$ref</c>)
/// are left alone: changing them would change what the answer must look like.
/// </summary>
internal static class JsonSchemaTexts
{
    // Deeper than any schema a model is given; the request's JSON guard bounds nesting well below the parser's own limit.
    private const int MaxDepth = 64;

    public static void Protect(IDataProtection protection, JsonNode? schema) => Walk(protection, schema, 0);

    private static void Walk(IDataProtection protection, JsonNode? node, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Walk(protection, array[i], depth + 1);
            }

            return;
        }

        if (node is not JsonObject schema)
        {
            return;
        }

        // Members are replaced after the walk: a JsonObject may not change while it is enumerated.
        List<KeyValuePair<string, string>>? replaced = null;
        foreach (var (name, value) in schema)
        {
            switch (name)
            {
                case "title" or "description":
                    if (value is JsonValue text && text.TryGetValue<string>(out var s) && protection.Protect(s) is var result && !ReferenceEquals(result, s))
                    {
                        (replaced ??= []).Add(new(name, result));
                    }

                    break;
                case "enum" or "const" or "default" or "examples":
                    if (value is JsonValue single && single.TryGetValue<string>(out var v) && protection.Protect(v) is var protectedValue && !ReferenceEquals(protectedValue, v))
                    {
                        (replaced ??= []).Add(new(name, protectedValue));
                    }
                    else
                    {
                        ProtectEveryString(protection, value, depth + 1);
                    }

                    break;
                default:
                    Walk(protection, value, depth + 1);
                    break;
            }
        }

        if (replaced is not null)
        {
            foreach (var (name, text) in replaced)
            {
                schema[name] = text;
            }
        }
    }

    /// <summary>Values given as data (an enum's choices, a default object): every string in them, keys aside.</summary>
    private static void ProtectEveryString(IDataProtection protection, JsonNode? node, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        switch (node)
        {
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var s))
                    {
                        if (protection.Protect(s) is var result && !ReferenceEquals(result, s))
                        {
                            array[i] = result;
                        }
                    }
                    else
                    {
                        ProtectEveryString(protection, array[i], depth + 1);
                    }
                }

                break;
            case JsonObject obj:
                List<KeyValuePair<string, string>>? replaced = null;
                foreach (var (name, member) in obj)
                {
                    if (member is JsonValue value && value.TryGetValue<string>(out var s))
                    {
                        if (protection.Protect(s) is var result && !ReferenceEquals(result, s))
                        {
                            (replaced ??= []).Add(new(name, result));
                        }
                    }
                    else
                    {
                        ProtectEveryString(protection, member, depth + 1);
                    }
                }

                if (replaced is not null)
                {
                    foreach (var (name, text) in replaced)
                    {
                        obj[name] = text;
                    }
                }

                break;
        }
    }
}

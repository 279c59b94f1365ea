using System.Text.Json.Nodes;
using XefAI.Data;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// The texts of a JSON schema that the model reads: annotations (<c>title</c>, <c>description</c>) and values it may be
/// asked to choose or copy (<c>enum</c>, <c>const</c>, <c>default</c>, <c>examples</c>, every string inside them). Property
/// names and the keywords that shape the JSON (<c>type</c>, <c>format</c>, <c>pattern</c>, <c>required</c>, <c>$ref</c>)
/// are left alone: changing them would change what the answer must look like.
/// </summary>
/// <remarks>Only requests that send tools or a schema come here, so the walk copies each object's members to change them.</remarks>
internal static class JsonSchemaTexts
{
    // Deeper than any schema a model is given; the request's JSON guard bounds nesting well below the parser's own limit.
    private const int MaxDepth = 64;

    public static void Protect(IDataProtection protection, JsonNode? schema) => Walk(protection, schema, 0, data: false);

    /// <param name="data">Inside values given as data (an enum's choices, a default object): every string, keys aside.</param>
    private static void Walk(IDataProtection protection, JsonNode? node, int depth, bool data)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (data && Protected(protection, array[i]) is { } text)
                {
                    array[i] = text;
                }
                else
                {
                    Walk(protection, array[i], depth + 1, data);
                }
            }

            return;
        }

        if (node is not JsonObject schema)
        {
            return;
        }

        // A copy of the members: a JsonObject may not change while it is enumerated.
        foreach (var (name, value) in schema.ToList())
        {
            var isData = data || name is "enum" or "const" or "default" or "examples";
            if ((isData || name is "title" or "description") && Protected(protection, value) is { } text)
            {
                schema[name] = text;
            }
            else
            {
                Walk(protection, value, depth + 1, isData);
            }
        }
    }

    /// <returns>The protected text of a string value that changed; null otherwise.</returns>
    private static string? Protected(IDataProtection protection, JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && protection.Protect(text) is var result && !ReferenceEquals(result, text)
            ? result
            : null;
}

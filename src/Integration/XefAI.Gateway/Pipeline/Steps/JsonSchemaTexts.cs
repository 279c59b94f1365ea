using System.Collections.Frozen;
using System.Text.Json.Nodes;
using XefAI.Data;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// The texts of a JSON schema that the model reads: annotations (<c>title</c>, <c>description</c>), values it may be asked
/// to choose or copy (<c>enum</c>, <c>const</c>, <c>default</c>, <c>examples</c>, every string inside them), and any other
/// string an app put in the schema (<c>$comment</c>, a keyword of its own such as <c>x-note</c>, a description given as a
/// list), which the vendor receives as well. Property names and the keywords that shape the JSON (<c>type</c>,
/// <c>format</c>, <c>pattern</c>, <c>required</c>, <c>$ref</c> and the other references and identifiers) are left alone:
/// changing them would change what the answer must look like.
/// </summary>
/// <remarks>Only requests that send tools or a schema come here, so the walk copies each object's members to change them.</remarks>
internal static class JsonSchemaTexts
{
    // Deeper than any schema a model is given; the request's JSON guard bounds nesting well below the parser's own limit.
    private const int MaxDepth = 64;

    /// <summary>The keywords whose strings shape the JSON or point within the schema, kept as the app wrote them.</summary>
    internal static readonly FrozenSet<string> ShapeKeywords = FrozenSet.Create(
        StringComparer.Ordinal,
        "type", "format", "pattern", "required", "$ref", "$id", "$schema", "$anchor", "$dynamicRef", "$dynamicAnchor",
        "contentEncoding", "contentMediaType");

    public static void Protect(IDataProtection protection, JsonNode? schema) => Walk(protection, schema, 0, data: false, shape: false);

    /// <summary>Every string inside <paramref name="node"/> (a list or an object; keys aside), as the values of <c>enum</c> are.</summary>
    public static void ProtectEveryString(IDataProtection protection, JsonNode? node) => Walk(protection, node, 0, data: true, shape: false);

    /// <param name="data">Inside values given as data (an enum's choices, a default object): every string, keys aside.</param>
    /// <param name="shape">Inside a shape keyword's value (<c>required</c>'s names, <c>type</c>'s list): every string kept.</param>
    private static void Walk(IDataProtection protection, JsonNode? node, int depth, bool data, bool shape)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (!shape && Protected(protection, array[i]) is { } text)
                {
                    array[i] = text;
                }
                else
                {
                    Walk(protection, array[i], depth + 1, data, shape);
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
            var isShape = !isData && ShapeKeywords.Contains(name);
            if (!isShape && Protected(protection, value) is { } text)
            {
                schema[name] = text;
            }
            else
            {
                Walk(protection, value, depth + 1, isData, isShape);
            }
        }
    }

    /// <summary>
    /// Whether the de-identifier finds a value in what the walk above keeps as the app wrote it: a property's (or any
    /// member's) name, a shape keyword's string. Those cannot be replaced without changing what the answer must look like,
    /// so a schema that holds one cannot be sent to a vendor that must not see it.
    /// </summary>
    public static bool KeepsAnIdentifier(IDataProtection protection, JsonNode? schema) => Keeps(protection, schema, 0, shape: false);

    private static bool Keeps(IDataProtection protection, JsonNode? node, int depth, bool shape)
    {
        if (depth > MaxDepth)
        {
            return false;
        }

        if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if ((shape && array[i] is JsonValue item && item.TryGetValue<string>(out var text) && Replaces(protection, text))
                    || Keeps(protection, array[i], depth + 1, shape))
                {
                    return true;
                }
            }

            return false;
        }

        if (node is not JsonObject schema)
        {
            return false;
        }

        for (var i = 0; i < schema.Count; i++)
        {
            var (name, value) = schema.GetAt(i);
            var isShape = ShapeKeywords.Contains(name);
            if (Replaces(protection, name)
                || (isShape && value is JsonValue shapeValue && shapeValue.TryGetValue<string>(out var shapeText) && Replaces(protection, shapeText))
                || Keeps(protection, value, depth + 1, isShape))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the protector would replace anything in <paramref name="text"/>. Compared by value: a protection may hand back
    /// the text it kept the first time it read the same words, an equal string but not the same instance.
    /// </summary>
    internal static bool Replaces(IDataProtection protection, string text) => !string.Equals(protection.Protect(text), text, StringComparison.Ordinal);

    /// <returns>The protected text of a string value that changed; null otherwise.</returns>
    private static string? Protected(IDataProtection protection, JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && protection.Protect(text) is var result && !ReferenceEquals(result, text)
            ? result
            : null;
}

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// An OpenAI request body parsed into a JSON object by the rules chat completions use: <see cref="JsonBodyGuard"/>'s
/// pre-pass first (encoding, duplicate names, depth), then the DOM over the body without a leading byte-order mark, and
/// anything but an object is a 400. Every OpenAI
/// endpoint of the gateway refuses a malformed body with the same code and message.
/// </summary>
internal static class OpenAIJsonBody
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    /// <param name="utf8">The body; with <paramref name="owner"/>, it must stay unchanged for the request's lifetime.</param>
    /// <param name="maxDepth">The deepest nesting allowed.</param>
    /// <param name="owner">
    /// The request whose end disposes of the parsed document: the object is then read over <paramref name="utf8"/>, with
    /// pooled metadata, instead of over a copy of the body with its own. Without it, the object owns a copy.
    /// </param>
    /// <param name="body">The object, when the body is one.</param>
    /// <param name="error">Why the body was refused, when it was.</param>
    public static bool TryParseObject(
        ReadOnlyMemory<byte> utf8, int maxDepth, HttpContext? owner, [NotNullWhen(true)] out JsonObject? body, [NotNullWhen(false)] out CallError? error)
    {
        body = null;
        error = JsonBodyGuard.Check(utf8.Span, maxDepth);
        if (error is not null)
        {
            return false;
        }

        utf8 = JsonBodyGuard.WithoutByteOrderMark(utf8);

        JsonNode? node;
        try
        {
            if (owner is null)
            {
                node = JsonNode.Parse(utf8.Span, NodeOptions, new JsonDocumentOptions { MaxDepth = maxDepth });
            }
            else
            {
                var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = maxDepth });
                owner.Response.RegisterForDispose(document);
                node = document.RootElement.ValueKind == JsonValueKind.Object ? JsonObject.Create(document.RootElement, NodeOptions) : null;
            }
        }
        catch (JsonException ex)
        {
            // The guard has read the same bytes, so this is a backstop; the parser's path is left out of the message.
            error = CallError.InvalidRequest(
                "invalid_json",
                $"The request body is not valid JSON: {ex.Message.Split(" Path:", 2)[0]} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).");
            return false;
        }

        if (node is not JsonObject parsed)
        {
            error = CallError.InvalidRequest("invalid_request", "The request body must be a JSON object.");
            return false;
        }

        body = parsed;
        return true;
    }
}

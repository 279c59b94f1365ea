using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// An OpenAI request body parsed into a JSON object by the rules chat completions use: <see cref="JsonBodyGuard"/>'s
/// pre-pass first (encoding, duplicate names, depth), then the DOM, and anything but an object is a 400. Every OpenAI
/// endpoint of the gateway refuses a malformed body with the same code and message.
/// </summary>
internal static class OpenAIJsonBody
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    public static bool TryParseObject(ReadOnlyMemory<byte> utf8, int maxDepth, [NotNullWhen(true)] out JsonObject? body, [NotNullWhen(false)] out CallError? error)
    {
        body = null;
        error = JsonBodyGuard.Check(utf8.Span, maxDepth);
        if (error is not null)
        {
            return false;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8.Span, NodeOptions, new JsonDocumentOptions { MaxDepth = maxDepth });
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

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XefAI.Models;

/// <summary>A validated OpenAI embeddings request, before routing picks a deployment.</summary>
/// <param name="Body">The request as parsed, passed through to OpenAI-compatible vendors.</param>
/// <param name="Model">The <c>model</c> field: the use case, unless the host takes it from a header.</param>
/// <param name="Inputs">The texts, in order; empty when the client sent token ids.</param>
/// <param name="TokenInputs">The token-id arrays, one per input, when the client sent token ids; otherwise null.</param>
/// <param name="Encoding">How the client wants the vectors written back.</param>
/// <param name="Dimensions">The vector size asked for, or null.</param>
/// <param name="User">The client's end-user id, or null.</param>
public sealed record OpenAIEmbeddingRequest(
    JsonObject Body,
    string? Model,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<int[]>? TokenInputs,
    EmbeddingEncoding Encoding,
    int? Dimensions,
    string? User)
{
    /// <summary>How many inputs the request holds.</summary>
    public int InputCount => TokenInputs?.Count ?? Inputs.Count;

    /// <summary>The neutral request for one attempt at <paramref name="deployment"/>.</summary>
    public EmbeddingRequest ForDeployment(ModelDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return new EmbeddingRequest(deployment, Inputs, Dimensions, User, Body) { TokenInputs = TokenInputs };
    }
}

/// <summary>
/// Why an embeddings request was refused, in OpenAI's terms; the host answers 400 <c>invalid_request_error</c> with
/// these fields. The message names fields and types, never the request's content.
/// </summary>
/// <param name="Code">Machine-readable code, e.g. <c>empty_string</c> or <c>too_many_inputs</c>.</param>
/// <param name="Message">What is wrong and what to do, for a developer.</param>
/// <param name="Param">The field at fault as OpenAI names it, e.g. <c>input[3]</c>.</param>
public sealed record EmbeddingRequestError(string Code, string Message, string? Param);

/// <summary>What the gateway accepts in one embeddings request.</summary>
/// <param name="MaxInputs">Most inputs per request; OpenAI's own limit is 2048.</param>
/// <param name="AllowTokenIds">
/// Whether pre-tokenized input is accepted. Token ids cannot be read by text policies (PHI detection, say), so a
/// host may refuse them for use cases that need those policies.
/// </param>
public sealed record EmbeddingRequestLimits(int MaxInputs = EmbeddingRequestLimits.OpenAIMaxInputs, bool AllowTokenIds = true)
{
    public const int OpenAIMaxInputs = 2048;

    public static EmbeddingRequestLimits Default { get; } = new();
}

/// <summary>
/// Validates an OpenAI embeddings request body against OpenAI's schema (<c>input</c> as string, string[], int[] or
/// int[][]; <c>encoding_format</c>; <c>dimensions</c>; <c>user</c>), naming the first field at fault the way OpenAI
/// does (<c>input[2]</c>), so a developer can fix the call from the message alone. Fields it does not know are kept
/// in <see cref="OpenAIEmbeddingRequest.Body"/> for the vendor to judge, as for chat.
/// </summary>
public static class OpenAIEmbeddingRequestReader
{
    public static bool TryRead(
        JsonObject body,
        EmbeddingRequestLimits limits,
        [NotNullWhen(true)] out OpenAIEmbeddingRequest? request,
        [NotNullWhen(false)] out EmbeddingRequestError? error)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(limits);
        request = null;

        string? model = null;
        if (body["model"] is { } modelNode && !TryGetString(modelNode, out model))
        {
            error = WrongType("model", "a string");
            return false;
        }

        if (body["input"] is not { } input)
        {
            error = new("missing_required_parameter", "Missing required parameter: 'input'.", "input");
            return false;
        }

        error = ReadInput(input, limits, out var texts, out var tokens);
        if (error is not null)
        {
            return false;
        }

        var encoding = EmbeddingEncoding.Float;
        if (body["encoding_format"] is { } encodingNode)
        {
            if (!TryGetString(encodingNode, out var format))
            {
                error = WrongType("encoding_format", "a string");
                return false;
            }

            switch (format)
            {
                case "float":
                    break;
                case "base64":
                    encoding = EmbeddingEncoding.Base64;
                    break;
                default:
                    error = new("invalid_value", "Invalid value for 'encoding_format': expected one of float, base64.", "encoding_format");
                    return false;
            }
        }

        int? dimensions = null;
        if (body["dimensions"] is { } dimensionsNode)
        {
            if (!TryGetInteger(dimensionsNode, out var value))
            {
                error = WrongType("dimensions", "an integer");
                return false;
            }

            if (value < 1)
            {
                error = new("invalid_value", "Invalid value for 'dimensions': expected a positive integer.", "dimensions");
                return false;
            }

            dimensions = value;
        }

        string? user = null;
        if (body["user"] is { } userNode && !TryGetString(userNode, out user))
        {
            error = WrongType("user", "a string");
            return false;
        }

        request = new OpenAIEmbeddingRequest(body, model, texts, tokens, encoding, dimensions, user);
        return true;
    }

    private static EmbeddingRequestError? ReadInput(
        JsonNode input, EmbeddingRequestLimits limits, out IReadOnlyList<string> texts, out IReadOnlyList<int[]>? tokens)
    {
        texts = [];
        tokens = null;

        if (TryGetString(input, out var single))
        {
            if (single.Length == 0)
            {
                return EmptyString("input");
            }

            texts = [single];
            return null;
        }

        if (input is not JsonArray array)
        {
            return WrongType("input", "a string or an array of strings (or of token ids)");
        }

        if (array.Count == 0)
        {
            return new("empty_array", "'input' must hold at least one item.", "input");
        }

        // The first item decides which of OpenAI's forms this is; every other item must be of the same form.
        var first = array[0];
        if (first is not null && first.GetValueKind() == JsonValueKind.Number)
        {
            // int[]: one pre-tokenized input, so its length is a token count, not an input count.
            var refusal = RefuseTokenIds(limits);
            if (refusal is not null)
            {
                return refusal;
            }

            var error = ReadTokenIds(array, "input", out var ids);
            tokens = [ids];
            return error;
        }

        if (array.Count > limits.MaxInputs)
        {
            return new(
                "too_many_inputs",
                $"'input' holds {array.Count} items; this gateway accepts at most {limits.MaxInputs} per request. Split the batch.",
                "input");
        }

        if (first is JsonArray)
        {
            var refusal = RefuseTokenIds(limits);
            if (refusal is not null)
            {
                return refusal;
            }

            var batches = new int[array.Count][];
            for (var i = 0; i < array.Count; i++)
            {
                var path = $"input[{i}]";
                if (array[i] is not JsonArray item)
                {
                    return WrongType(path, "an array of token ids, like input[0]");
                }

                if (item.Count == 0)
                {
                    return new("empty_array", $"'{path}' must hold at least one token id.", path);
                }

                var error = ReadTokenIds(item, path, out batches[i]);
                if (error is not null)
                {
                    return error;
                }
            }

            tokens = batches;
            return null;
        }

        var strings = new string[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"input[{i}]";
            if (array[i] is not { } item || !TryGetString(item, out var text))
            {
                return WrongType(path, "a string");
            }

            if (text.Length == 0)
            {
                return EmptyString(path);
            }

            strings[i] = text;
        }

        texts = strings;
        return null;
    }

    private static EmbeddingRequestError? ReadTokenIds(JsonArray array, string path, out int[] ids)
    {
        ids = new int[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (array[i] is not { } item || !TryGetInteger(item, out var id))
            {
                return WrongType(itemPath, "an integer token id");
            }

            if (id < 0)
            {
                return new("invalid_value", $"Invalid value for '{itemPath}': token ids are non-negative integers.", itemPath);
            }

            ids[i] = id;
        }

        return null;
    }

    private static EmbeddingRequestError? RefuseTokenIds(EmbeddingRequestLimits limits) => limits.AllowTokenIds
        ? null
        : new(
            "unsupported_value",
            "This gateway accepts 'input' as text only: token ids cannot be checked by its policies. Send strings.",
            "input");

    private static bool TryGetString(JsonNode node, [NotNullWhen(true)] out string? value)
    {
        value = null;
        return node is JsonValue jsonValue && node.GetValueKind() == JsonValueKind.String && jsonValue.TryGetValue(out value);
    }

    /// <summary>A JSON number that is a whole int (<c>3</c>, not <c>3.5</c>); a string holding digits is not one.</summary>
    private static bool TryGetInteger(JsonNode node, out int value)
    {
        value = 0;
        return node is JsonValue jsonValue && node.GetValueKind() == JsonValueKind.Number && jsonValue.TryGetValue(out value);
    }

    private static EmbeddingRequestError EmptyString(string param) =>
        new("empty_string", $"'{param}' is an empty string; every input must hold text to embed.", param);

    private static EmbeddingRequestError WrongType(string param, string expected) =>
        new("invalid_type", $"Invalid type for '{param}': expected {expected}.", param);
}

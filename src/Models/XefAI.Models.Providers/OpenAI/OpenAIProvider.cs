using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.Wire;

namespace XefAI.Models.Providers.OpenAI;

/// <summary>
/// Translates for vendors that speak OpenAI Chat Completions: OpenAI, Azure OpenAI v1, vLLM, Ollama <c>/v1</c>.
/// The destination address carries the vendor's version segment, so the path is relative to it.
/// </summary>
/// <remarks>
/// Embeddings (<see cref="IHttpEmbeddingProvider"/>) are on the same class because a deployment names one kind and
/// OpenAI-compatible vendors serve both paths under the same address and key.
/// </remarks>
internal sealed class OpenAIProvider : IHttpModelProvider, IHttpEmbeddingProvider
{
    public const string ProviderKind = "openai";

    public const string ChatCompletionsPath = "chat/completions";

    public const string EmbeddingsPath = "embeddings";

    /// <summary>Endpoint metadata naming the auth header; <c>api-key</c> selects Azure's style.</summary>
    public const string AuthHeaderMetadataKey = "AuthHeader";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<VendorEndpoint, IReadOnlyList<KeyValuePair<string, string>>> AuthHeadersByEndpoint = new();

    private const string AzureApiKeyHeader = "api-key";

    public string Kind => ProviderKind;

    public VendorHttpRequest CreateRequest(ModelRequest request, VendorEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);

        // The options decide, not the body: the gateway reads the answer as a stream or as one body by them.
        var body = OpenAIRequestWriter.ChatCompletion(request.Body, request.Deployment.VendorModel, request.Options.Stream);
        return new VendorHttpRequest(ChatCompletionsPath, body, "application/json", AuthHeaders(endpoint));
    }

    public ModelResponse ReadResponse(ModelRequest request, VendorHttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);

        VendorJson.ThrowIfFailed(response);

        // Read through the parsed document, not the JsonObject over it: the object stays unmaterialized (no node,
        // dictionary or name string per property), and the adapter's rendering writes it straight from the document.
        var completion = ParseObject(response.Body, response.DisposeWithCall);

        if (Property(completion, "object") is { } objectType && !IsString(objectType, "chat.completion"))
        {
            var actual = SafeIdentifier(objectType);
            throw NotACompletion(actual is null ? "object is not \"chat.completion\"" : $"object is \"{actual}\", not \"chat.completion\"");
        }

        var choices = Property(completion, "choices") switch
        {
            null => throw NotACompletion("no choices"),
            { ValueKind: JsonValueKind.Array } array when array.GetArrayLength() == 0 => throw NotACompletion("no choices"),
            { ValueKind: JsonValueKind.Array } array => array,
            _ => throw NotACompletion("choices is not an array"),
        };

        if (choices[0] is not { ValueKind: JsonValueKind.Object } choice)
        {
            throw NotACompletion("choices[0] is not an object");
        }

        var message = Property(choice, "message") switch
        {
            null => throw NotACompletion("choices[0].message missing"),
            { ValueKind: JsonValueKind.Object } value => value,
            _ => throw NotACompletion("choices[0].message is not an object"),
        };

        // Null content is legal: tool calls and refusals answer without text.
        var content = Property(message, "content") switch
        {
            null => string.Empty,
            { ValueKind: JsonValueKind.String } value => VendorJson.ReadString(value),
            _ => throw NotACompletion("choices[0].message.content is not a string"),
        };

        // What the client's SDK will read must have the shape it reads: an answer it cannot parse is the vendor's fault
        // (502), not an answer (200) to the caller and "answered" in the audit trail.
        var refuses = CheckShapes(choices, message, choice, Property(completion, "usage"));

        return new ModelResponse(
            JsonObject.Create(completion)!,
            Reused(Property(completion, "model"), request.Deployment.VendorModel) ?? request.Deployment.VendorModel,
            content,
            FinishReason(Property(choice, "finish_reason")),
            ReadUsage(Property(completion, "usage")))
        {
            HasRefusal = refuses,
        };
    }

    public IStreamTranslator CreateStreamTranslator(ModelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new OpenAIStreamTranslator(request.Options.IncludeUsage);
    }

    public VendorHttpRequest CreateEmbeddingRequest(EmbeddingRequest request, VendorEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);

        // The client's body is the request OpenAI documents, so it goes through as is (token ids, encoding_format
        // and user included); only the model is the deployment's, and its size where the client asked for none.
        var dimensions = request.Dimensions is null ? request.Deployment.EmbeddingDimensions : null;
        var body = OpenAIRequestWriter.Embeddings(request.Body, request.Deployment.VendorModel, dimensions);
        return new VendorHttpRequest(EmbeddingsPath, body, "application/json", AuthHeaders(endpoint));
    }

    public EmbeddingResponse ReadEmbeddingResponse(EmbeddingRequest request, VendorHttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);

        VendorJson.ThrowIfFailed(response);

        return OpenAIEmbeddingReader.Read(request, response.Body);
    }

    /// <summary>
    /// The headers of an endpoint, made once per endpoint: the gateway works its endpoints out once per configuration, so
    /// a call does not build the same "Bearer …" string and list again. A new configuration brings new endpoints.
    /// </summary>
    private static IReadOnlyList<KeyValuePair<string, string>> AuthHeaders(VendorEndpoint endpoint) =>
        AuthHeadersByEndpoint.GetValue(endpoint, static e => NewAuthHeaders(e));

    private static IReadOnlyList<KeyValuePair<string, string>> NewAuthHeaders(VendorEndpoint endpoint)
    {
        if (string.IsNullOrEmpty(endpoint.ApiKey))
        {
            return [];
        }

        return string.Equals(endpoint.GetMetadata(AuthHeaderMetadataKey), AzureApiKeyHeader, StringComparison.OrdinalIgnoreCase)
            ? [new(AzureApiKeyHeader, endpoint.ApiKey)]
            : [new("Authorization", "Bearer " + endpoint.ApiKey)];
    }

    private static JsonElement ParseObject(ReadOnlyMemory<byte> body, Action<IDisposable>? disposeWithCall)
    {
        body = VendorJson.TrimBody(body);
        if (body.IsEmpty)
        {
            throw NotACompletion("empty body");
        }

        JsonElement root;
        try
        {
            // Nothing but white space may follow the answer, and no object may name a field twice: the answer is
            // rendered to the caller, and re-identified, from this element, and a repeated field has no one value.
            // The document reads over the body and lives as long as the call, when the gateway says when that ends;
            // otherwise the answer keeps a body-sized clone and the document's own buffers go back to the pool.
            var document = JsonDocument.Parse(body, DocumentOptions);
            if (disposeWithCall is not null)
            {
                disposeWithCall(document);
                root = document.RootElement;
            }
            else
            {
                using (document)
                {
                    root = document.RootElement.Clone();
                }
            }
        }
        catch (JsonException)
        {
            // The parser's message quotes bytes of the body, so it is not passed on.
            throw NotACompletion("not JSON");
        }

        VendorJson.EnsureText(body.Span, root);

        return root.ValueKind == JsonValueKind.Object ? root : throw NotACompletion("not a JSON object");
    }

    // The limits JsonNode.Parse read the answer with (no comments, no trailing commas, depth 64), and no repeated field.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>A property's value, or null where it is missing or JSON null, as the JsonObject indexer read it.</summary>
    private static JsonElement? Property(JsonElement value, string name) =>
        value.TryGetProperty(name, out var property) && property.ValueKind != JsonValueKind.Null ? property : null;

    /// <summary>
    /// The members an SDK reads from an answer, of the types it reads them as (a JSON null counts as absent); whether any
    /// choice's message holds a refusal.
    /// </summary>
    private static bool CheckShapes(JsonElement choices, JsonElement message, JsonElement first, JsonElement? usage)
    {
        var refuses = false;
        if (usage is { ValueKind: not JsonValueKind.Object })
        {
            throw NotACompletion("usage is not an object");
        }

        for (var i = 0; i < choices.GetArrayLength(); i++)
        {
            var choice = i == 0 ? first : choices[i];
            if (choice.ValueKind != JsonValueKind.Object)
            {
                throw NotACompletion($"choices[{i}] is not an object");
            }

            if (Property(choice, "finish_reason") is { ValueKind: not JsonValueKind.String })
            {
                throw NotACompletion($"choices[{i}].finish_reason is not a string");
            }

            var itsMessage = i == 0 ? message : Property(choice, "message") ?? default;
            if (itsMessage.ValueKind != JsonValueKind.Object)
            {
                throw NotACompletion($"choices[{i}].message is not an object");
            }

            if (i > 0 && Property(itsMessage, "content") is { ValueKind: not JsonValueKind.String })
            {
                throw NotACompletion($"choices[{i}].message.content is not a string");
            }

            switch (Property(itsMessage, "refusal"))
            {
                case { ValueKind: not JsonValueKind.String }:
                    throw NotACompletion($"choices[{i}].message.refusal is not a string");
                case not null:
                    refuses = true;
                    break;
            }

            if (Property(itsMessage, "tool_calls") is { } toolCalls && !AreToolCalls(toolCalls))
            {
                throw NotACompletion($"choices[{i}].message.tool_calls is not an array of function calls with a string name and arguments");
            }
        }

        return refuses;
    }

    private static bool AreToolCalls(JsonElement toolCalls)
    {
        if (toolCalls.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var call in toolCalls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object
                || Property(call, "function") is not { ValueKind: JsonValueKind.Object } function
                || Property(function, "name") is not { ValueKind: JsonValueKind.String }
                || Property(function, "arguments") is not { ValueKind: JsonValueKind.String }
                || Property(call, "id") is { ValueKind: not JsonValueKind.String })
            {
                return false;
            }
        }

        return true;
    }

    private static TokenUsage? ReadUsage(JsonElement? usage)
    {
        if (usage is not { ValueKind: JsonValueKind.Object } values)
        {
            return null;
        }

        var input = IntOrNull(Property(values, "prompt_tokens"));
        var output = IntOrNull(Property(values, "completion_tokens"));
        return input is null && output is null ? null : new TokenUsage(input ?? 0, output ?? 0);
    }

    private static VendorResponseException NotACompletion(string reason) =>
        new($"The model vendor's answer is not a chat completion: {reason}.");

    private static bool IsString(JsonElement value, string expected) =>
        value.ValueKind == JsonValueKind.String && value.ValueEquals(expected);

    private static string? StringOrNull(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.String } text ? VendorJson.ReadString(text) : null;

    // The reasons OpenAI documents; their strings are kept, not made again on every answer.
    private static readonly string[] FinishReasons = ["stop", "length", "tool_calls", "content_filter", "function_call"];

    private static string? FinishReason(JsonElement? value)
    {
        if (value is not { ValueKind: JsonValueKind.String } text)
        {
            return null;
        }

        foreach (var reason in FinishReasons)
        {
            if (text.ValueEquals(reason))
            {
                return reason;
            }
        }

        return text.GetString();
    }

    /// <summary>The vendor's text, as <paramref name="known"/> when it is the same (the model most answers name).</summary>
    private static string? Reused(JsonElement? value, string known) =>
        value is { ValueKind: JsonValueKind.String } text && text.ValueEquals(known) ? known : StringOrNull(value);

    private static int? IntOrNull(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.Number } number && number.TryGetInt32(out var count) && count >= 0 ? count : null;

    private static string? SafeIdentifier(JsonElement value) => VendorJson.SafeIdentifier(StringOrNull(value));
}

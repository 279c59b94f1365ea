using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Models.Providers.Wire;

namespace XefAI.Models.Providers.Anthropic;

/// <summary>
/// Translates OpenAI chat requests to Anthropic's Messages API and its answers back. The destination address
/// carries the version segment (<c>https://api.anthropic.com/v1</c>), so the path is relative to it.
/// </summary>
internal sealed class AnthropicProvider : IHttpModelProvider
{
    public const string ProviderKind = "anthropic";

    public const string MessagesPath = "messages";

    /// <summary>Endpoint metadata overriding the <c>anthropic-version</c> header.</summary>
    public const string VersionMetadataKey = "AnthropicVersion";

    /// <summary>Endpoint metadata giving <c>max_tokens</c> when the client sets none; Anthropic requires it.</summary>
    public const string DefaultMaxTokensMetadataKey = "DefaultMaxTokens";

    public const string DefaultVersion = "2023-06-01";

    public const int DefaultMaxTokens = 4096;

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public AnthropicProvider(TimeProvider timeProvider, ILogger<AnthropicProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public string Kind => ProviderKind;

    public VendorHttpRequest CreateRequest(ModelRequest request, VendorEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);

        AnthropicRequestTranslator.RefuseUntranslatable(request.Body);
        var (system, messages) = AnthropicRequestTranslator.Conversation(request);
        var options = request.Options;

        using var json = PooledJsonWriter.Rent();
        var writer = json.Writer;
        writer.WriteStartObject();
        writer.WriteString("model", request.Deployment.VendorModel);
        if (system is not null)
        {
            writer.WriteString("system", system);
        }

        writer.WritePropertyName("messages");
        messages.WriteTo(writer);
        writer.WriteNumber("max_tokens", options.MaxTokens ?? DefaultMaxTokensOf(endpoint));

        // OpenAI accepts temperature 0..2, Anthropic 0..1: clamping keeps "as random as allowed" rather than
        // failing the call. Recent Claude models reject temperature and top_p together, and Anthropic advises
        // setting only one, so temperature wins when the client set both.
        if (options.Temperature is { } temperature)
        {
            writer.WriteNumber("temperature", Math.Clamp(temperature, 0, 1));
        }
        else if (options.TopP is { } topP)
        {
            writer.WriteNumber("top_p", topP);
        }

        if (options.Stop is { Count: > 0 } stop)
        {
            writer.WriteStartArray("stop_sequences");
            foreach (var sequence in stop)
            {
                writer.WriteStringValue(sequence);
            }

            writer.WriteEndArray();
        }

        // OpenAI's user and Anthropic's metadata.user_id are the same thing: an opaque id for abuse tracing.
        if (!string.IsNullOrEmpty(options.User))
        {
            writer.WriteStartObject("metadata");
            writer.WriteString("user_id", options.User);
            writer.WriteEndObject();
        }

        AnthropicRequestTranslator.WriteTools(writer, request.Body);

        // Anthropic streams always report usage (message_start and message_delta), so nothing else to ask for.
        if (options.Stream)
        {
            writer.WriteBoolean("stream", true);
        }

        writer.WriteEndObject();

        return new VendorHttpRequest(MessagesPath, json.ToArray(), "application/json", Headers(endpoint));
    }

    public ModelResponse ReadResponse(ModelRequest request, VendorHttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);

        VendorJson.ThrowIfFailed(response);

        using var document = Parse(response.Body);
        var message = document.RootElement;
        VendorJson.EnsureText(response.Body.Span, message);

        if (!message.TryGetProperty("type", out var type))
        {
            throw NotAMessage("type missing");
        }

        if (type.ValueKind != JsonValueKind.String || !type.ValueEquals("message"))
        {
            var actual = VendorJson.SafeIdentifier(VendorJson.GetString(message, "type"));
            throw NotAMessage(actual is null ? "type is not \"message\"" : $"type is \"{actual}\", not \"message\"");
        }

        var id = message.TryGetProperty("id", out var idElement)
            ? idElement.ValueKind == JsonValueKind.String ? VendorJson.ReadString(idElement) : throw NotAMessage("id is not a string")
            : throw NotAMessage("id missing");

        if (!message.TryGetProperty("content", out var content))
        {
            throw NotAMessage("content missing");
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw NotAMessage("content is not an array");
        }

        // Text blocks are joined as they are: Anthropic splits one answer into several blocks around citations.
        // Tool use blocks become OpenAI tool calls. Any other block (thinking, never asked for; server tools, never
        // enabled; types added later) is skipped and logged by its type, its text kept should it have any.
        var text = new StringBuilder();
        var toolCalls = new JsonArray();
        var blockIndex = 0;
        foreach (var block in content.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object)
            {
                throw NotAMessage($"content[{blockIndex}] is not an object");
            }

            switch (VendorJson.GetString(block, "type"))
            {
                case "text":
                    text.Append(VendorJson.GetString(block, "text") ?? throw NotAMessage($"content[{blockIndex}].text is not a string"));
                    break;
                case "tool_use":
                    toolCalls.Add(ToolCall(block, blockIndex));
                    break;
                case var other:
                    AnthropicLog.BlockSkipped(_logger, VendorJson.SafeIdentifier(other) ?? "(unprintable)", streamed: false);
                    if (VendorJson.GetString(block, "text") is { } blockText)
                    {
                        text.Append(blockText);
                    }

                    break;
            }

            blockIndex++;
        }

        var usage = message.TryGetProperty("usage", out var usageElement)
            ? VendorJson.ReadUsage(usageElement, "input_tokens", "output_tokens")
            : null;

        var completion = OpenAIChatCompletion.Create(
            id,
            VendorJson.GetString(message, "model") ?? request.Deployment.VendorModel,
            text.ToString(),
            ToFinishReason(VendorJson.GetString(message, "stop_reason")),
            usage,
            _timeProvider.GetUtcNow());

        if (toolCalls.Count > 0)
        {
            // OpenAI's shape: content null when the answer is only tool calls.
            var answer = completion.Completion["choices"]![0]!["message"]!.AsObject();
            if (text.Length == 0)
            {
                answer["content"] = null;
            }

            answer["tool_calls"] = toolCalls;
        }

        return completion;
    }

    public IStreamTranslator CreateStreamTranslator(ModelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new AnthropicStreamTranslator(request, _timeProvider, _logger);
    }

    /// <summary>Maps Anthropic's <c>stop_reason</c> to OpenAI's <c>finish_reason</c>.</summary>
    internal static string ToFinishReason(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",

        // end_turn, stop_sequence, pause_turn and reasons added after this was written.
        _ => "stop",
    };

    /// <summary>An Anthropic <c>tool_use</c> block as an OpenAI tool call, whose arguments are the input as a JSON string.</summary>
    private static JsonObject ToolCall(JsonElement block, int blockIndex)
    {
        var id = VendorJson.GetString(block, "id") ?? throw NotAMessage($"content[{blockIndex}].id is not a string");
        var name = VendorJson.GetString(block, "name") ?? throw NotAMessage($"content[{blockIndex}].name is not a string");
        if (!block.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Object)
        {
            throw NotAMessage($"content[{blockIndex}].input is not an object");
        }

        var arguments = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(arguments, VendorJson.WriterOptions))
        {
            input.WriteTo(writer);
        }

        return new JsonObject
        {
            ["id"] = id,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = name, ["arguments"] = Encoding.UTF8.GetString(arguments.WrittenSpan) },
        };
    }

    private static int DefaultMaxTokensOf(VendorEndpoint endpoint)
    {
        var configured = endpoint.GetMetadata(DefaultMaxTokensMetadataKey);
        if (configured is null)
        {
            return DefaultMaxTokens;
        }

        // A typo must not silently change how long answers may be.
        return int.TryParse(configured, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidOperationException(
                $"Endpoint {endpoint.Name}: metadata {DefaultMaxTokensMetadataKey} is '{configured}', not a positive whole number.");
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Headers(VendorEndpoint endpoint)
    {
        var version = new KeyValuePair<string, string>("anthropic-version", endpoint.GetMetadata(VersionMetadataKey) ?? DefaultVersion);
        return string.IsNullOrEmpty(endpoint.ApiKey)
            ? [version]
            : [new("x-api-key", endpoint.ApiKey), version];
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        body = VendorJson.TrimBody(body);
        if (body.IsEmpty)
        {
            throw NotAMessage("empty body");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // The parser's message quotes bytes of the body, so it is not passed on.
            throw NotAMessage("not JSON");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw NotAMessage("not a JSON object");
        }

        return document;
    }

    private static VendorResponseException NotAMessage(string reason) =>
        new($"The model vendor's answer is not an Anthropic message: {reason}.");
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
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

    public const string ToolResultPrefix = "Tool result: ";

    private readonly TimeProvider _timeProvider;

    public AnthropicProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    public string Kind => ProviderKind;

    public VendorHttpRequest CreateRequest(ModelRequest request, VendorEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);

        var (system, turns) = Conversation(request.Messages);
        var options = request.Options;

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, VendorJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("model", request.Deployment.VendorModel);
            if (system is not null)
            {
                writer.WriteString("system", system);
            }

            writer.WriteStartArray("messages");
            foreach (var (role, content) in turns)
            {
                writer.WriteStartObject();
                writer.WriteString("role", role);
                writer.WriteString("content", content);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
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

            // Anthropic streams always report usage (message_start and message_delta), so nothing else to ask for.
            if (options.Stream)
            {
                writer.WriteBoolean("stream", true);
            }

            writer.WriteEndObject();
        }

        return new VendorHttpRequest(MessagesPath, buffer.WrittenMemory, "application/json", Headers(endpoint));
    }

    public ModelResponse ReadResponse(ModelRequest request, VendorHttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);

        if (response.StatusCode is < 200 or > 299)
        {
            throw new VendorResponseException(
                $"The model vendor answered HTTP {response.StatusCode}{VendorJson.DescribeError(response.Body)}.",
                response.StatusCode);
        }

        using var document = Parse(response.Body);
        var message = document.RootElement;

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
            ? idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : throw NotAMessage("id is not a string")
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
        // Tool use and thinking blocks have no OpenAI text equivalent here.
        var text = new StringBuilder();
        var blockIndex = 0;
        foreach (var block in content.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object)
            {
                throw NotAMessage($"content[{blockIndex}] is not an object");
            }

            if (VendorJson.GetString(block, "type") == "text")
            {
                text.Append(VendorJson.GetString(block, "text") ?? throw NotAMessage($"content[{blockIndex}].text is not a string"));
            }

            blockIndex++;
        }

        var usage = message.TryGetProperty("usage", out var usageElement)
            ? VendorJson.ReadUsage(usageElement, "input_tokens", "output_tokens")
            : null;

        return OpenAIChatCompletion.Create(
            id,
            VendorJson.GetString(message, "model") ?? request.Deployment.VendorModel,
            text.ToString(),
            ToFinishReason(VendorJson.GetString(message, "stop_reason")),
            usage,
            _timeProvider.GetUtcNow());
    }

    public IStreamTranslator CreateStreamTranslator(ModelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new AnthropicStreamTranslator(request, _timeProvider);
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

    /// <summary>
    /// Splits the conversation into Anthropic's top-level system prompt and its user/assistant turns.
    /// </summary>
    /// <remarks>
    /// Anthropic has no system role in <c>messages</c>, so system and developer messages, wherever they stand,
    /// become the one system prompt. Consecutive turns of one role are merged: the API reference says it
    /// combines them itself, but it has answered "roles must alternate" before and compatible endpoints still
    /// do. Empty turns are dropped and a final assistant turn (a prefill) loses trailing whitespace, since the
    /// API rejects both. The first turn may be the assistant's: the reference asks for no user turn first.
    /// </remarks>
    private static (string? System, List<(string Role, string Content)> Turns) Conversation(IReadOnlyList<ChatMessage> messages)
    {
        StringBuilder? system = null;
        var turns = new List<(string Role, StringBuilder Content)>(messages.Count);
        foreach (var message in messages)
        {
            if (string.IsNullOrWhiteSpace(message.Content))
            {
                continue;
            }

            switch (message.Role)
            {
                case "system" or "developer":
                    system = system is null ? new StringBuilder(message.Content) : system.Append("\n\n").Append(message.Content);
                    continue;
                case "assistant":
                    AddTurn(turns, "assistant", null, message.Content);
                    continue;
                case "tool" or "function":
                    AddTurn(turns, "user", ToolResultPrefix, message.Content);
                    continue;
                default:
                    AddTurn(turns, "user", null, message.Content);
                    continue;
            }
        }

        var result = turns.ConvertAll(turn => (turn.Role, turn.Content.ToString()));
        if (result is [.., ("assistant", var last)])
        {
            result[^1] = ("assistant", last.TrimEnd());
        }

        return (system?.ToString(), result);
    }

    private static void AddTurn(List<(string Role, StringBuilder Content)> turns, string role, string? prefix, string content)
    {
        if (turns is [.., var last] && last.Role == role)
        {
            last.Content.Append("\n\n").Append(prefix).Append(content);
        }
        else
        {
            turns.Add((role, new StringBuilder().Append(prefix).Append(content)));
        }
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

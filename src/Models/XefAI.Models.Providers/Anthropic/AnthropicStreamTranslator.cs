using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Models.Providers.Wire;

namespace XefAI.Models.Providers.Anthropic;

/// <summary>Turns Anthropic's Messages stream events into OpenAI <c>chat.completion.chunk</c> objects.</summary>
internal sealed class AnthropicStreamTranslator(ModelRequest request, TimeProvider timeProvider, ILogger? logger = null) : IStreamTranslator
{
    private readonly StringBuilder _content = new();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    // Blocks of a type the gateway does not translate (server_tool_use, web_search_tool_result, thinking, types added
    // later): their input deltas are skipped with them, rather than ending the stream as malformed.
    private readonly HashSet<int> _skippedBlocks = [];

    // Anthropic block index → OpenAI tool call index: OpenAI counts tool calls alone (0, 1, …), not blocks.
    private readonly Dictionary<int, int> _toolCalls = [];
    private OpenAIChatCompletionChunks? _chunks;
    private string? _model;
    private string? _finishReason;
    private bool _finishSent;
    private int? _inputTokens;
    private int? _outputTokens;

    private readonly StreamedToolCalls _toolCallsMade = new();

    public StreamedAnswer Result => new(_content.ToString(), _finishReason, Usage, _model, _toolCallsMade.ToList());

    private TokenUsage? Usage =>
        _inputTokens is null && _outputTokens is null ? null : new TokenUsage(_inputTokens ?? 0, _outputTokens ?? 0);

    public bool Translate(ServerSentEvent vendorEvent, ICollection<ReadOnlyMemory<byte>> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);

        if (string.IsNullOrWhiteSpace(vendorEvent.Data))
        {
            return false;
        }

        using var document = Parse(vendorEvent.Data);
        var data = document.RootElement;

        // The data's type and the SSE event name are the same by Anthropic's definition; the data is authoritative.
        switch (VendorJson.GetString(data, "type") ?? vendorEvent.EventName)
        {
            case "message_start":
                Start(data, chunks);
                return false;
            case "content_block_start":
                if (data.TryGetProperty("content_block", out var block))
                {
                    switch (VendorJson.GetString(block, "type"))
                    {
                        // A text block starts empty in practice; should it ever carry text, that text is part of the answer.
                        case "text" when VendorJson.GetString(block, "text") is { Length: > 0 } initial:
                            AddText(initial, "content_block_start", chunks);
                            break;
                        case "tool_use":
                            StartToolCall(data, block, chunks);
                            break;
                        case "text":
                            break;
                        case var other:
                            SkipBlock(data, block, other, chunks);
                            break;
                    }
                }

                return false;
            case "content_block_delta":
                // Thinking and signature deltas have no place in an OpenAI answer, and thinking is never asked for.
                if (data.TryGetProperty("delta", out var delta))
                {
                    switch (VendorJson.GetString(delta, "type"))
                    {
                        case "text_delta":
                            AddText(VendorJson.GetString(delta, "text") ?? throw Malformed("text_delta without text"), "content_block_delta", chunks);
                            break;
                        case "input_json_delta":
                            AddToolArguments(data, delta, chunks);
                            break;
                    }
                }

                return false;
            case "message_delta":
                Delta(data, chunks);
                return false;
            case "message_stop":
                Stop(chunks);
                return true;
            case "error":
                var description = data.TryGetProperty("error", out var error) ? VendorJson.DescribeError(error) : string.Empty;
                throw new VendorResponseException($"The model vendor reported an error mid-stream{description}.");
            default:
                // ping, content_block_stop, and event types Anthropic adds later: its versioning policy asks
                // clients to ignore events they do not know.
                return false;
        }
    }

    private static JsonDocument Parse(string data)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            // The parser's message quotes text of the event, so it is not passed on.
            throw Malformed("stream event is not JSON");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Malformed("stream event is not a JSON object");
        }

        return document;
    }

    private static VendorResponseException Malformed(string reason) => new($"The model vendor's stream is malformed: {reason}.");

    private void Start(JsonElement data, ICollection<ReadOnlyMemory<byte>> chunks)
    {
        if (_chunks is not null)
        {
            throw Malformed("second message_start");
        }

        if (!data.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("message_start without message");
        }

        var id = VendorJson.GetString(message, "id") ?? throw Malformed("message_start without message.id");
        _model = VendorJson.GetString(message, "model") ?? request.Deployment.VendorModel;
        if (message.TryGetProperty("usage", out var usage))
        {
            _inputTokens = VendorJson.GetCount(usage, "input_tokens");
            _outputTokens = VendorJson.GetCount(usage, "output_tokens");
        }

        _chunks = new OpenAIChatCompletionChunks(id, timeProvider.GetUtcNow().ToUnixTimeSeconds(), _model, request.Options.IncludeUsage);
        chunks.Add(_chunks.Start());
    }

    private void AddText(string text, string eventType, ICollection<ReadOnlyMemory<byte>> chunks)
    {
        var writer = _chunks ?? throw Malformed($"{eventType} before message_start");
        _content.Append(text);
        chunks.Add(writer.Content(text));
    }

    private void StartToolCall(JsonElement data, JsonElement block, ICollection<ReadOnlyMemory<byte>> chunks)
    {
        var writer = _chunks ?? throw Malformed("content_block_start before message_start");
        var blockIndex = VendorJson.GetCount(data, "index") ?? throw Malformed("content_block_start without index");
        var id = VendorJson.GetString(block, "id") ?? throw Malformed("tool_use block without id");
        var name = VendorJson.GetString(block, "name") ?? throw Malformed("tool_use block without name");
        if (!_toolCalls.TryAdd(blockIndex, _toolCalls.Count))
        {
            throw Malformed("second content_block_start for one index");
        }

        // The block's input starts as {} and arrives in input_json_delta fragments, as OpenAI's arguments do.
        _toolCallsMade.Add(_toolCalls[blockIndex], id, name, null);
        chunks.Add(writer.ToolCallStart(_toolCalls[blockIndex], id, name));
    }

    /// <summary>
    /// A block the gateway does not translate is skipped, and logged by its type alone. Should it carry text, the text
    /// is part of the answer, as a text block's is.
    /// </summary>
    private void SkipBlock(JsonElement data, JsonElement block, string? type, ICollection<ReadOnlyMemory<byte>> chunks)
    {
        var blockIndex = VendorJson.GetCount(data, "index") ?? throw Malformed("content_block_start without index");
        _skippedBlocks.Add(blockIndex);
        AnthropicLog.BlockSkipped(_logger, VendorJson.SafeIdentifier(type) ?? "(unprintable)", streamed: true);
        if (VendorJson.GetString(block, "text") is { Length: > 0 } text)
        {
            AddText(text, "content_block_start", chunks);
        }
    }

    private void AddToolArguments(JsonElement data, JsonElement delta, ICollection<ReadOnlyMemory<byte>> chunks)
    {
        var writer = _chunks ?? throw Malformed("content_block_delta before message_start");
        var fragment = VendorJson.GetString(delta, "partial_json") ?? throw Malformed("input_json_delta without partial_json");
        var blockIndex = VendorJson.GetCount(data, "index") ?? throw Malformed("content_block_delta without index");
        if (_skippedBlocks.Contains(blockIndex))
        {
            return;
        }

        if (!_toolCalls.TryGetValue(blockIndex, out var toolCall))
        {
            throw Malformed("input_json_delta for a block that is not a tool_use");
        }

        // Anthropic opens with an empty fragment; an empty arguments delta tells an OpenAI client nothing.
        if (fragment.Length > 0)
        {
            _toolCallsMade.Add(toolCall, null, null, fragment);
            chunks.Add(writer.ToolCallArguments(toolCall, fragment));
        }
    }

    /// <summary>
    /// A stream that closed after the <c>message_delta</c> naming its stop reason has said all it had to, though its
    /// <c>message_stop</c> never came; one cut before it is truncated.
    /// </summary>
    public bool TryComplete(ICollection<ReadOnlyMemory<byte>> chunks)
    {
        if (!_finishSent)
        {
            return false;
        }

        Stop(chunks);
        return true;
    }

    private void Delta(JsonElement data, ICollection<ReadOnlyMemory<byte>> chunks)
    {
        var writer = _chunks ?? throw Malformed("message_delta before message_start");

        // Counts in message_delta are cumulative, so the latest replaces what message_start said.
        if (data.TryGetProperty("usage", out var usage))
        {
            _inputTokens = VendorJson.GetCount(usage, "input_tokens") ?? _inputTokens;
            _outputTokens = VendorJson.GetCount(usage, "output_tokens") ?? _outputTokens;
        }

        if (data.TryGetProperty("delta", out var delta) && VendorJson.GetString(delta, "stop_reason") is { } stopReason)
        {
            _finishReason = AnthropicProvider.ToFinishReason(stopReason);
            SendFinish(writer, chunks);
        }
    }

    private void Stop(ICollection<ReadOnlyMemory<byte>> chunks)
    {
        var writer = _chunks ?? throw Malformed("message_stop before message_start");

        // OpenAI clients wait for a finish reason; a stream that never named one still ended normally.
        _finishReason ??= "stop";
        SendFinish(writer, chunks);

        if (request.Options.IncludeUsage && Usage is { } usage)
        {
            chunks.Add(writer.Usage(usage));
        }
    }

    private void SendFinish(OpenAIChatCompletionChunks writer, ICollection<ReadOnlyMemory<byte>> chunks)
    {
        // Anthropic may send more than one message_delta; OpenAI clients expect one finish chunk.
        if (!_finishSent && _finishReason is not null)
        {
            chunks.Add(writer.Finish(_finishReason));
            _finishSent = true;
        }
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using XefAI.Models.Providers.Wire;

namespace XefAI.Models.Providers.OpenAI;

/// <summary>
/// Passes an OpenAI-format stream through to the client byte for byte, holding back only the usage chunk the
/// gateway asked for on its own account, and assembles the answer for the audit.
/// </summary>
internal sealed class OpenAIStreamTranslator(bool includeUsage) : IStreamTranslator
{
    private readonly StringBuilder _content = new();
    private string? _finishReason;
    private TokenUsage? _usage;
    private string? _model;
    private StreamedToolCalls? _toolCalls;

    // Choices begun and not yet finished, and whether one has finished: a stream that closes without [DONE] is whole
    // when every choice it began has its finish_reason and the usage chunk the gateway always asks for has come.
    private readonly HashSet<int> _unfinished = [];
    private bool _finished;

    public StreamedAnswer Result => new(_content.ToString(), _finishReason, _usage, _model, _toolCalls?.ToList());

    public bool Translate(ServerSentEvent vendorEvent, ICollection<ReadOnlyMemory<byte>> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);

        // A chunk as the reader's bytes, when they are well-formed UTF-8 and open an object; anything else (blank data,
        // [DONE], an event made from text, bad sequences that decoding replaces) is read as text.
        ReadOnlyMemory<byte> bytes;
        if (vendorEvent.HasUtf8Data && OpensObject(vendorEvent.Utf8Data.Span) && Utf8.IsValid(vendorEvent.Utf8Data.Span))
        {
            bytes = vendorEvent.Utf8Data;
        }
        else
        {
            var data = vendorEvent.Data;
            if (string.IsNullOrWhiteSpace(data))
            {
                return false;
            }

            // The gateway writes its own [DONE] once the audit is done.
            if (data.AsSpan().Trim().SequenceEqual("[DONE]"))
            {
                return true;
            }

            bytes = Encoding.UTF8.GetBytes(data);
        }

        using var document = Parse(bytes);
        var chunk = document.RootElement;

        // vLLM and Azure report failures that happen after the first byte as an error object in the stream.
        if (chunk.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            throw new VendorResponseException($"The model vendor reported an error mid-stream{VendorJson.DescribeError(error)}.");
        }

        _model = VendorJson.GetString(chunk, "model") ?? _model;

        var hasUsage = chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object;
        if (hasUsage)
        {
            _usage = VendorJson.ReadUsage(usage, "prompt_tokens", "completion_tokens") ?? _usage;
        }

        var hasChoices = false;
        if (chunk.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                hasChoices = true;
                Track(choice);
                Accumulate(choice);
            }
        }

        // OpenAI sends usage in a chunk of its own with empty choices; vLLM sends null or no choices there.
        if (!(hasUsage && !hasChoices) || includeUsage)
        {
            chunks.Add(bytes);
        }

        return false;
    }

    public bool TryComplete(ICollection<ReadOnlyMemory<byte>> chunks) => _finished && _unfinished.Count == 0 && _usage is not null;

    /// <summary>Whether the data's first character after JSON white space is <c>{</c>.</summary>
    private static bool OpensObject(ReadOnlySpan<byte> data)
    {
        var trimmed = data.TrimStart(" \t\r\n"u8);
        return !trimmed.IsEmpty && trimmed[0] == (byte)'{';
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            // The parser's message quotes bytes of the event, so it is not passed on.
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

    /// <summary>The tool call deltas of the first choice, for the audit; the client gets them as the vendor sent them.</summary>
    private void AccumulateToolCalls(JsonElement calls)
    {
        var position = 0;
        foreach (var call in calls.EnumerateArray())
        {
            if (call.ValueKind == JsonValueKind.Object)
            {
                var index = call.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : position;
                var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                (_toolCalls ??= new()).Add(
                    index,
                    VendorJson.GetString(call, "id"),
                    function.ValueKind == JsonValueKind.Object ? VendorJson.GetString(function, "name") : null,
                    function.ValueKind == JsonValueKind.Object ? VendorJson.GetString(function, "arguments") : null);
            }

            position++;
        }
    }

    /// <summary>Notes whether each choice has finished, for a stream that closes without <c>[DONE]</c>.</summary>
    private void Track(JsonElement choice)
    {
        if (choice.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var index = choice.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : 0;
        if (VendorJson.GetString(choice, "finish_reason") is not null)
        {
            _unfinished.Remove(index);
            _finished = true;
        }
        else
        {
            _unfinished.Add(index);
        }
    }

    /// <summary>Keeps the first choice only, as the non-streamed path does (<c>n</c> > 1 sends the others too).</summary>
    private void Accumulate(JsonElement choice)
    {
        if (choice.ValueKind != JsonValueKind.Object
            || (choice.TryGetProperty("index", out var index) && !(index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var value) && value == 0)))
        {
            return;
        }

        if (choice.TryGetProperty("delta", out var delta) && VendorJson.GetString(delta, "content") is { } text)
        {
            _content.Append(text);
        }

        if (delta.ValueKind == JsonValueKind.Object && delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            AccumulateToolCalls(calls);
        }

        _finishReason = VendorJson.GetString(choice, "finish_reason") ?? _finishReason;
    }
}

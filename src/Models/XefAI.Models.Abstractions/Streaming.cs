namespace XefAI.Models;

/// <summary>One server-sent event from a vendor: its <c>event:</c> name (null when absent) and its joined <c>data:</c> lines.</summary>
/// <remarks>
/// The gateway's reader gives the data as the UTF-8 bytes it read (<see cref="Utf8Data"/>), so a translator that works
/// on bytes decodes nothing; <see cref="Data"/> decodes them on each read. Two events are equal when their names and
/// their data are, however each was made.
/// </remarks>
public readonly record struct ServerSentEvent
{
    private readonly string? _data;

    /// <summary>An event whose data is text.</summary>
    public ServerSentEvent(string? eventName, string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        EventName = eventName;
        _data = data;
    }

    /// <summary>An event whose data is UTF-8 bytes that the event owns: no one may change them afterwards.</summary>
    public ServerSentEvent(string? eventName, ReadOnlyMemory<byte> utf8Data)
    {
        EventName = eventName;
        Utf8Data = utf8Data;
    }

    public string? EventName { get; }

    /// <summary>The joined data lines as text.</summary>
    public string Data => _data ?? System.Text.Encoding.UTF8.GetString(Utf8Data.Span);

    /// <summary>The joined data lines as UTF-8 when the event was made from bytes; empty when it was made from text.</summary>
    public ReadOnlyMemory<byte> Utf8Data { get; }

    /// <summary>Whether the data is held as UTF-8 bytes (<see cref="Utf8Data"/>) rather than as text.</summary>
    public bool HasUtf8Data => _data is null;

    public void Deconstruct(out string? eventName, out string data)
    {
        eventName = EventName;
        data = Data;
    }

    public bool Equals(ServerSentEvent other) =>
        string.Equals(EventName, other.EventName, StringComparison.Ordinal)
        && (HasUtf8Data && other.HasUtf8Data ? Utf8Data.Span.SequenceEqual(other.Utf8Data.Span) : string.Equals(Data, other.Data, StringComparison.Ordinal));

    public override int GetHashCode() => HashCode.Combine(EventName, Data);
}

/// <summary>
/// Translates one vendor event stream into OpenAI <c>chat.completion.chunk</c> objects and assembles the
/// whole answer for the audit record. One instance per call; not thread-safe. The gateway owns the SSE
/// framing on both sides (parsing the vendor's events, writing <c>data: …</c> and the final <c>data: [DONE]</c>).
/// </summary>
public interface IStreamTranslator
{
    /// <summary>Translates one vendor event.</summary>
    /// <param name="vendorEvent">The event as parsed from the vendor's stream.</param>
    /// <param name="chunks">Receives zero or more OpenAI chunk objects, serialized as UTF-8 JSON, to send in order.</param>
    /// <returns>True once the vendor has signalled the end of the answer (OpenAI's <c>[DONE]</c>, Anthropic's <c>message_stop</c>).</returns>
    /// <exception cref="VendorResponseException">The vendor sent an error event or an event of the wrong shape.</exception>
    bool Translate(ServerSentEvent vendorEvent, ICollection<ReadOnlyMemory<byte>> chunks);

    /// <summary>
    /// Called when the vendor closed its stream cleanly without signalling the end (some OpenAI-compatible servers close
    /// after the final chunk without <c>[DONE]</c>): whether the answer is complete all the same, adding the chunks that
    /// end it for the client.
    /// </summary>
    /// <param name="chunks">Receives zero or more OpenAI chunk objects, serialized as UTF-8 JSON, to send in order.</param>
    /// <returns>True when what arrived is the whole answer; false (the default) when it may have been cut, and the stream is truncated.</returns>
    bool TryComplete(ICollection<ReadOnlyMemory<byte>> chunks) => false;

    /// <summary>The answer assembled so far: text, finish reason, usage, model.</summary>
    StreamedAnswer Result { get; }
}

/// <summary>What a stream delivered, for audit and metrics.</summary>
/// <param name="Content">All content deltas joined.</param>
/// <param name="FinishReason">OpenAI finish reason, once known.</param>
/// <param name="Usage">Token usage, once the vendor reported it.</param>
/// <param name="Model">Model the vendor named.</param>
/// <param name="ToolCalls">The tool calls the answer made, in the order of their index; null when it made none.</param>
public sealed record StreamedAnswer(string Content, string? FinishReason, TokenUsage? Usage, string? Model, IReadOnlyList<StreamedToolCall>? ToolCalls = null);

/// <summary>One tool call of a streamed answer, its argument fragments joined.</summary>
/// <param name="Index">The call's index among the answer's tool calls, as OpenAI numbers them.</param>
/// <param name="Id">The call's id, once a delta gave it.</param>
/// <param name="Name">The function's name, once a delta gave it.</param>
/// <param name="Arguments">The JSON arguments, as the fragments joined make them.</param>
public sealed record StreamedToolCall(int Index, string? Id, string? Name, string Arguments);

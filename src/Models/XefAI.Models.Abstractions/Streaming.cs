namespace XefAI.Models;

/// <summary>One server-sent event from a vendor: its <c>event:</c> name (null when absent) and its joined <c>data:</c> lines.</summary>
public readonly record struct ServerSentEvent(string? EventName, string Data);

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

    /// <summary>The answer assembled so far: text, finish reason, usage, model.</summary>
    StreamedAnswer Result { get; }
}

/// <summary>What a stream delivered, for audit and metrics.</summary>
/// <param name="Content">All content deltas joined.</param>
/// <param name="FinishReason">OpenAI finish reason, once known.</param>
/// <param name="Usage">Token usage, once the vendor reported it.</param>
/// <param name="Model">Model the vendor named.</param>
public sealed record StreamedAnswer(string Content, string? FinishReason, TokenUsage? Usage, string? Model);

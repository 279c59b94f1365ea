using Microsoft.AspNetCore.Http;

namespace XefAI.Integration;

/// <summary>
/// Translates one protocol: its request into a <see cref="GatewayRequest"/>, and the pipeline's answer, hold or
/// <see cref="CallError"/> into its response shape. It holds no governance, audit or resilience logic and never
/// writes to the client: the pipeline writes what the adapter renders, after the audit record is committed.
/// </summary>
public interface IProtocolAdapter
{
    /// <summary>
    /// A short, bounded name of the way in (<c>chat</c>, <c>embeddings</c>, <c>invoke</c>, …): the route family of
    /// aggregated key refusals and a metric label.
    /// </summary>
    string Route { get; }

    /// <summary>
    /// Translates the request, once the caller is authenticated. The body was read once, within the gateway's size
    /// limit, and its SHA-256 is what the audit record holds as the input.
    /// </summary>
    Translation Translate(HttpContext httpContext, ReadOnlyMemory<byte> body);

    /// <summary>
    /// Translates the request when translating needs I/O (CDS Hooks fetches what the EHR did not prefetch from its FHIR
    /// server). The pipeline calls this one; by default it is <see cref="Translate"/>.
    /// </summary>
    ValueTask<Translation> TranslateAsync(HttpContext httpContext, ReadOnlyMemory<byte> body) => ValueTask.FromResult(Translate(httpContext, body));

    /// <summary>
    /// The answer as the protocol sends it. The audit record's output hash covers <see cref="RenderedResponse.Body"/>;
    /// a held answer is stored as rendered here and released unchanged once a clinician approves it.
    /// </summary>
    RenderedResponse RenderAnswer(CallAnswer answer);

    /// <summary>
    /// The response that goes out, once the record is committed: by default the rendered answer unchanged; a protocol
    /// whose response names its own audit record (a FHIR Provenance, a CDS card's uuid) adds it here.
    /// </summary>
    RenderedResponse Release(RenderedResponse rendered, CallReceipt receipt) => rendered;

    /// <summary>The answer to a call whose answer is held for clinician review (202 in most protocols).</summary>
    RenderedResponse RenderHeld(HeldCall held);

    /// <summary>A refusal or failure in the protocol's error shape.</summary>
    RenderedResponse RenderError(CallError error);

    /// <summary>How the protocol frames a streamed answer; null when it does not stream.</summary>
    IStreamFraming? Streaming => null;
}

/// <summary>A request translated, or the reason it cannot be.</summary>
public sealed class Translation
{
    private Translation(GatewayRequest? request, CallError? error)
    {
        Request = request;
        Error = error;
    }

    public GatewayRequest? Request { get; }

    public CallError? Error { get; }

    public static Translation Of(GatewayRequest request) => new(request ?? throw new ArgumentNullException(nameof(request)), null);

    public static Translation Refuse(CallError error) => new(null, error ?? throw new ArgumentNullException(nameof(error)));
}

/// <summary>A response body in the protocol's shape, with the headers of its own it needs.</summary>
/// <param name="Headers">Protocol headers (e.g. <c>Location</c>); the pipeline adds the governance headers itself.</param>
public sealed record RenderedResponse(int StatusCode, string ContentType, ReadOnlyMemory<byte> Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>How a protocol frames the chunks of a streamed answer (e.g. server-sent events).</summary>
public interface IStreamFraming
{
    /// <summary>The response's content type, e.g. <c>text/event-stream</c>.</summary>
    string ContentType { get; }

    /// <summary>Headers the stream needs besides its content type, e.g. <c>Cache-Control: no-cache</c>.</summary>
    IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Bytes of one chunk as sent; <paramref name="chunk"/> is one OpenAI <c>chat.completion.chunk</c> in UTF-8 JSON.</summary>
    ReadOnlyMemory<byte> Frame(ReadOnlyMemory<byte> chunk);

    /// <summary>How many bytes framing adds to a chunk, so a stream's size limit counts what is sent.</summary>
    int FramingBytes { get; }

    /// <summary>The event that ends a stream that failed after it started: never a silent truncated 200.</summary>
    ReadOnlyMemory<byte> FrameError(CallError error);

    /// <summary>The end of a stream that answered (e.g. <c>data: [DONE]</c>), sent after its closing record is committed.</summary>
    ReadOnlyMemory<byte> End { get; }
}

using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using XefAI.Data;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// Everything the pipeline knows of one call, filled in step by step: who called, what for, what governance decided,
/// what went to the model and what came back, and what the audit trail recorded. A step reads what the steps before it
/// wrote; the first step that sets <see cref="Error"/> ends the call's way to the model, and the call is then audited
/// and answered with that error.
/// </summary>
internal sealed class CallContext(HttpContext httpContext, IProtocolAdapter adapter, GatewaySnapshot config, string traceId, long started, DateTimeOffset timestamp)
    : IAsyncDisposable
{
    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>The way in: translates the request and renders the response.</summary>
    public IProtocolAdapter Adapter { get; } = adapter;

    /// <summary>The configuration this call reads from start to end.</summary>
    public GatewaySnapshot Config { get; } = config;

    public string TraceId { get; } = traceId;

    /// <summary>When the call started, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long Started { get; } = started;

    public DateTimeOffset Timestamp { get; } = timestamp;

    public CancellationToken Aborted => HttpContext.RequestAborted;

    /// <summary>
    /// Leaves something (a pooled buffer) to be disposed of when the call's response is: one delegate for the call,
    /// not one per step that hands a buffer over.
    /// </summary>
    public Action<IDisposable> DisposeWithCall => _disposeWithCall ??= HttpContext.Response.RegisterForDispose;

    private Action<IDisposable>? _disposeWithCall;

    /// <summary>Why the call is not answered; set by the first step that refuses or fails it.</summary>
    public CallError? Error { get; set; }

    // Authenticate, read the request.
    public ClientApp? App { get; set; }

    // Admission (LoadShedder): what the call holds of the gateway's bounds, and whether it was refused one.

    /// <summary>What this call's request body weighs in <c>Gateway:Overload:MaxBodyBytesInFlight</c>; given back at its end.</summary>
    public long BodyBytes { get; set; }

    /// <summary>The processing place the call holds once admitted; freed at its end.</summary>
    public RateLimitLease? Place { get; set; }

    /// <summary>The bound the call found full (<see cref="LoadShedder.PlacesBound"/>, …): it is shed, counted, not audited.</summary>
    public string? ShedBy { get; set; }

    /// <summary>The client left while the call waited for a place: nothing to answer, nothing to audit.</summary>
    public bool LeftWaiting { get; set; }

    /// <summary>The request body as received (kept for a verbatim audit).</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    public string? InputSha256 { get; set; }

    public GatewayRequest? Request { get; set; }

    // Resolve and govern.
    public UseCase? UseCase { get; set; }

    public PolicyObligations Obligations { get; set; } = PolicyObligations.None;

    // Build context, compose the prompt.
    public ClinicalContext Clinical { get; set; } = ClinicalContext.Empty;

    public string? PatientPseudonym { get; set; }

    /// <summary>The conversation sent to the model: the caller's, or the use case's template rendered.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; set; } = [];

    /// <summary>The OpenAI-shaped body providers pass through, with the conversation as sent to the model.</summary>
    public System.Text.Json.Nodes.JsonObject? VendorBody { get; set; }

    public RenderedPrompt? Prompt { get; set; }

    /// <summary>
    /// The client asked for a stream that output checks must read whole: the model is asked for one body, released as
    /// a stream once checked; null for any other call.
    /// </summary>
    public CheckedStream? CheckedStream { get; set; }

    // Choose deployments, protect data.
    public List<ModelDeployment> Candidates { get; } = [];

    /// <summary>
    /// Governance obliges de-identification for at least one candidate (one that does not cover PHI, for a use case
    /// that has not opted out); set by the choose step, acted on by the protect step.
    /// </summary>
    public bool DeIdentificationObliged { get; set; }

    /// <summary>This call's tokens, when the protect step de-identified what leaves; null otherwise.</summary>
    public IDataProtection? Protection { get; set; }

    /// <summary>What the protect step did (<see cref="DeIdentificationOutcomes"/>); null until it ran, or when it failed.</summary>
    public string? DeIdentification { get; set; }

    /// <summary>How many values of each kind the protect step replaced, normalized (<see cref="AuditRedactions"/>); null when it did not de-identify.</summary>
    public IReadOnlyList<KeyValuePair<string, int>>? Redactions { get; set; }

    // Invoke, restore, check.

    public CallAttempts? Attempts { get; set; }

    public Invocation.Invocation? Invocation { get; set; }

    public ModelDeployment? Deployment { get; set; }

    /// <summary>When the model was first asked, as a <see cref="TimeProvider"/> timestamp: where a stream's time to first chunk starts.</summary>
    public long InvokeStarted { get; set; }

    public TimeSpan? VendorDuration { get; set; }

    public ModelResponse? Answer { get; set; }

    /// <summary>The answer as the vendor gave it, kept by the restore step when it put values back into <see cref="Answer"/>.</summary>
    public ModelResponse? VendorAnswer { get; set; }

    public EmbeddingResponse? Embeddings { get; set; }

    /// <summary>A started stream, read and written by the release step.</summary>
    public AnswerStream? Stream { get; set; }

    // Review, audit, release.

    /// <summary>How a clinician must see the answer (none, draft, hold), from the tier's obligations.</summary>
    public string Review => Obligations.Review;

    /// <summary>The answer as the adapter renders it: what the record's output hash covers.</summary>
    public RenderedResponse? Rendered { get; set; }

    public string? OutputSha256 { get; set; }

    /// <summary>The committed record: the call's own, or a stream's opening record.</summary>
    public AuditRecord? Record { get; set; }

    public HeldCall? Held { get; set; }

    /// <summary>The outcome that metrics and the error-rate monitor count: answered, held, denied or failed.</summary>
    public string Outcome { get; set; } = "failed";

    public int StatusCode { get; set; }

    public TokenUsage? Usage => Answer?.Usage ?? Embeddings?.Usage ?? Stream?.Result?.Usage;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask DisposeAsync()
    {
        if (Stream is not null)
        {
            await Stream.DisposeAsync();
        }

        Attempts?.Dispose();
    }
}

using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>How one try at one deployment ended.</summary>
internal sealed record AttemptOutcome
{
    /// <summary>The answer of a buffered chat call.</summary>
    public ModelResponse? Answer { get; init; }

    /// <summary>The vectors of an embeddings call.</summary>
    public EmbeddingResponse? Embeddings { get; init; }

    /// <summary>A started stream: the vendor answered with success headers; its chunks are read by the pipeline.</summary>
    public AnswerStream? Stream { get; init; }

    /// <summary>Why the attempt failed; null when it answered.</summary>
    public CallError? Error { get; init; }

    /// <summary>Worth trying the same deployment again (429, 5xx, timeout, connection failure).</summary>
    public bool Retryable { get; init; }

    /// <summary>Worth trying the use case's next deployment.</summary>
    public bool CanFallback { get; init; }

    /// <summary>The vendor asked to wait this long before trying again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The vendor's HTTP status; set by the forwarder on the outcome a provider read from the answer.</summary>
    public int? VendorStatus { get; set; }

    /// <summary>The destination that answered; set like <see cref="VendorStatus"/> (a copy per attempt is not needed).</summary>
    public string? Destination { get; set; }

    /// <summary>
    /// The call the attempt was made for, set by the invoker as the attempt ends: the retry strategy reads its budget and
    /// its attempts from the outcome it judges, not from a property bag on Polly's context (a dictionary per call, as a
    /// context pool of a few per core is empty when many calls wait on vendors).
    /// </summary>
    public CallAttempts? Call { get; set; }

    public bool Succeeded => Error is null;

    public static AttemptOutcome Failed(CallError error, bool retryable, bool canFallback, string? destination = null, int? vendorStatus = null) =>
        new() { Error = error, Retryable = retryable, CanFallback = canFallback, Destination = destination, VendorStatus = vendorStatus };
}

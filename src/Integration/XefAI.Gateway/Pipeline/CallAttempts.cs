using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// What the attempts of one call share: the HTTP context, the time budget, the attempt list and the client's
/// stream once opened.
/// </summary>
internal sealed class CallAttempts(
    HttpContext httpContext,
    TimeSpan attemptTimeout,
    TimeSpan totalTimeout,
    TimeProvider time,
    Func<ModelDeployment, Task<bool>> onStreamStarting)
{
    private readonly long _started = time.GetTimestamp();

    public TimeSpan TotalTimeout { get; } = totalTimeout;

    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>The configured limit of one attempt; <see cref="NextAttemptTimeout"/> is what an attempt gets.</summary>
    public TimeSpan AttemptTimeout { get; } = attemptTimeout;

    /// <summary>What is left of the call's total budget.</summary>
    public TimeSpan Remaining => TotalTimeout - time.GetElapsedTime(_started);

    /// <summary>An attempt gets its own limit, or what is left of the call's budget if that is less.</summary>
    public TimeSpan NextAttemptTimeout => Remaining is var left && left < AttemptTimeout ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : AttemptTimeout;

    /// <summary>A retry after <paramref name="wait"/> fits the budget only if a whole attempt still fits after it.</summary>
    public bool RetryFits(TimeSpan wait) => Remaining - wait >= AttemptTimeout;

    public List<AuditAttempt> Attempts { get; } = [];

    /// <summary>The client's event stream; set once, by the attempt that starts streaming.</summary>
    public ServerSentEventWriter? Writer { get; private set; }

    /// <summary>
    /// Called before the first byte of a stream: the gateway commits the call's opening audit record and sets
    /// the governance headers. False means it could not, and it has answered the client itself.
    /// </summary>
    public Task<bool> OnStreamStarting(ModelDeployment deployment) => onStreamStarting(deployment);

    public async Task<ServerSentEventWriter> StartStreamAsync(CancellationToken cancellationToken)
    {
        Writer = new ServerSentEventWriter(HttpContext.Response);
        await Writer.StartAsync(cancellationToken);
        return Writer;
    }

    /// <summary>The outcome of a stream the audit trail could not open: the client already has its 503.</summary>
    public AttemptOutcome Refused() => AttemptOutcome.Failed(
        CallError.Unavailable("audit_unavailable", "The audit trail could not record this call, so no answer is released. Retry later."),
        retryable: false,
        canFallback: false) with { ResponseStarted = true };
}

using XefAI.Gateway.OpenAI;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>What the attempts of one call share: the HTTP context, the attempt list and the client's stream once opened.</summary>
internal sealed class CallAttempts(
    HttpContext httpContext, TimeSpan attemptTimeout, TimeSpan totalTimeout, Func<ModelDeployment, Task<bool>> onStreamStarting)
{
    public TimeSpan TotalTimeout { get; } = totalTimeout;

    public HttpContext HttpContext { get; } = httpContext;

    public TimeSpan AttemptTimeout { get; } = attemptTimeout;

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
        OpenAIError.Unavailable("audit_unavailable", "The audit trail could not record this call, so no answer is released. Retry later."),
        retryable: false,
        canFallback: false) with { ResponseStarted = true };
}

using Polly;
using Polly.Retry;
using System.Runtime.CompilerServices;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Tracing;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>The outcome of a call across all its attempts.</summary>
/// <param name="Final">How the last attempt ended; a started stream when the answer is streamed.</param>
/// <param name="Deployment">The deployment of the last attempt.</param>
/// <param name="Attempts">Every attempt, for the audit record.</param>
internal sealed record Invocation(AttemptOutcome Final, ModelDeployment? Deployment, IReadOnlyList<AuditAttempt> Attempts);

/// <summary>
/// Calls a use case's deployments in order until one answers. Each deployment is tried with retries (jittered
/// exponential backoff, Retry-After honoured) on 429, 5xx, timeouts and connection failures, behind a circuit breaker
/// per destination; then the next deployment is tried. In-process providers answer directly; HTTP providers are
/// reached through YARP. It returns a started response and never writes to the client: nothing is retried or switched
/// once the pipeline starts reading a stream.
/// </summary>
internal sealed partial class ModelInvoker(
    IModelProviderCatalog providers,
    VendorForwarder forwarder,
    IGatewayMetrics metrics,
    TimeProvider time,
    ILogger<ModelInvoker> logger)
{
    /// <summary>The destination label of a retry at an in-process model.</summary>
    private const string LocalDestination = "local";

    private const string CircuitOpen = "circuit_open";
    private const string VendorRateLimited = "vendor_rate_limited";

    private volatile RetryFor _retry = new(null, ResiliencePipeline<AttemptOutcome>.Empty);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Invocation> InvokeAsync(
        CallAttempts call, ModelCall request, IReadOnlyList<ModelDeployment> candidates, string useCaseId, GatewaySnapshot config)
    {
        var retry = RetryPipeline(config.Resilience);
        if (candidates.Count == 0)
        {
            return new Invocation(
                AttemptOutcome.Failed(CallError.Unavailable("no_provider", "No deployment could be tried."), retryable: false, canFallback: false),
                null,
                call.Attempts);
        }

        AttemptOutcome last = null!; // set by every pass of the loop below: the list is not empty
        ModelDeployment? lastDeployment = null;

        // The soonest any open circuit met on the way half-opens: when the call ends on an open circuit, that is when a
        // retry can first be served, not when the last deployment's break ends.
        TimeSpan? soonestReopening = null;
        var tried = 0;
        var open = 0;
        for (var i = 0; i < candidates.Count; i++)
        {
            lastDeployment = candidates[i];
            tried++;
            try
            {
                var context = ResilienceContextPool.Shared.Get(call.Token);
                Outcome<AttemptOutcome> outcome;
                try
                {
                    // The outcome form: no wrapper state machine of Polly's around each attempt.
                    outcome = await retry.ExecuteOutcomeAsync(
                        static (ctx, s) => s.Invoker.AttemptAsync(s.Call, s.Request, s.Deployment, s.Config, ctx.CancellationToken),
                        context,
                        (Invoker: this, Call: call, Request: request, Deployment: lastDeployment, Config: config));
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }

                outcome.ThrowIfException();
                last = outcome.Result!;
            }
            catch (OperationCanceledException) when (!call.HttpContext.RequestAborted.IsCancellationRequested)
            {
                last = AttemptOutcome.Failed(
                    ProviderErrors.Timeout($"The use case's total timeout of {call.TotalTimeout.TotalSeconds:0.#} s ran out."),
                    retryable: false,
                    canFallback: false);
            }

            if (last.Error is { Code: CircuitOpen } circuit)
            {
                open++;
                if (circuit.RetryAfter is { } reopens && (soonestReopening is null || reopens < soonestReopening))
                {
                    soonestReopening = reopens;
                }
            }

            if (last.Succeeded || !last.CanFallback || i == candidates.Count - 1)
            {
                break;
            }

            metrics.RecordFallback(useCaseId, lastDeployment.Id, last.Error!.Code);
            LogFallback(logger, useCaseId, lastDeployment.Id, last.Error.Code, candidates[i + 1].Id);
        }

        if (last.Error is { Code: CircuitOpen } openError)
        {
            // The attempt's message names one destination, but after fallbacks several may have been found open; the
            // client learns how many, not which (destinations and clusters are the operator's names, in the audit record).
            last = last with { Error = openError with { Message = CircuitOpenMessage(open, tried), RetryAfter = soonestReopening } };
        }
        else if (last.Error is { Code: VendorRateLimited, RetryAfter: { } wait } limited && wait > config.Resilience.BreakerBreakDuration)
        {
            // A vendor's Retry-After is relayed no longer than a circuit's break, the longest the gateway itself asks a
            // client to wait (circuit_open): a vendor's 99999 s would park a client for a day, though a fallback, a
            // configuration edit or the vendor's own recovery may serve it within the minute.
            last = last with { Error = limited with { RetryAfter = config.Resilience.BreakerBreakDuration } };
        }

        return new Invocation(last, lastDeployment, call.Attempts);
    }

    private static string CircuitOpenMessage(int open, int tried) => (open, tried) switch
    {
        (1, 1) => "The use case's model deployment is unavailable: its circuit is open after repeated failures, or none of its destinations is healthy.",
        _ when open == tried => $"All {tried} model deployments tried are unavailable: their circuits are open after repeated failures, or none of their destinations is healthy.",
        _ => $"{open} of the {tried} model deployments tried are unavailable (circuit open after repeated failures, or no healthy destination), and the others failed.",
    };

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome<AttemptOutcome>> AttemptAsync(
        CallAttempts call, ModelCall request, ModelDeployment deployment, GatewaySnapshot config, CancellationToken token)
    {
        var started = time.GetTimestamp();
        using var span = GatewayTracing.StartAttempt(request, deployment, call.Attempts.Count + 1);
        var outcome = await AttemptCoreAsync(call, request, deployment, config, token);
        GatewayTracing.AttemptEnded(span, outcome);
        call.Attempts.Add(new AuditAttempt(
            deployment.Id,
            outcome.Destination ?? outcome.Stream?.Destination,
            outcome.Error?.Code ?? "answered",
            outcome.VendorStatus ?? outcome.Stream?.VendorStatus,
            Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3)));

        // The retry strategy must not start a retry the call's budget cannot hold; it reads the call from the outcome.
        outcome.Call = call;
        return Outcome.FromResult(outcome);
    }

    /// <summary>Not async itself: it hands on the task of the way the attempt takes, with no state of its own.</summary>
    private ValueTask<AttemptOutcome> AttemptCoreAsync(
        CallAttempts call, ModelCall request, ModelDeployment deployment, GatewaySnapshot config, CancellationToken token)
    {
        // The forwarder names the vendor host once it has picked a destination; an in-process answer has none.
        call.ServerAddress = null;
        if (!providers.TryGet(deployment.Kind, out var provider))
        {
            return Unavailable($"No provider plugin of kind '{deployment.Kind}' is loaded for deployment '{deployment.Id}'.");
        }

        if (request.IsInProcess(provider))
        {
            return AnswerInProcessAsync(call, request, provider, deployment, token);
        }

        return request.IsHttp(provider)
            ? forwarder.ForwardAsync(call, request, provider, deployment, config, token)
            : Unavailable($"Provider '{deployment.Kind}' of deployment '{deployment.Id}' cannot serve this operation.");

        static ValueTask<AttemptOutcome> Unavailable(string message) =>
            ValueTask.FromResult(AttemptOutcome.Failed(CallError.Unavailable("provider_unavailable", message), retryable: false, canFallback: true));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AttemptOutcome> AnswerInProcessAsync(
        CallAttempts call, ModelCall request, IModelProvider provider, ModelDeployment deployment, CancellationToken token)
    {
        var attemptTimeout = call.NextAttemptTimeout;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
        attempt.CancelAfter(attemptTimeout);
        try
        {
            var outcome = await request.AnswerInProcessAsync(provider, deployment, attempt.Token);
            call.ModelAsked = true;
            return outcome;
        }
        catch (UnsupportedRequestException ex)
        {
            // Refused by the provider before its model ran: no GenAI operation took place.
            return AttemptOutcome.Failed(CallError.InvalidRequest("unsupported_parameter", ex.Message, ex.Param), retryable: false, canFallback: false);
        }
        catch (OperationCanceledException) when (attempt.IsCancellationRequested && !token.IsCancellationRequested)
        {
            call.ModelAsked = true;
            return AttemptOutcome.Failed(
                ProviderErrors.Timeout($"Provider '{deployment.Id}' did not answer within {attemptTimeout.TotalSeconds:0.#} s."),
                retryable: true,
                canFallback: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A plugin's bug must not become a 500: the call falls back, and the log keeps the details.
            call.ModelAsked = true;
            LogProviderFailed(logger, ex, deployment.Id);
            return AttemptOutcome.Failed(ProviderErrors.BadGateway("provider_error", $"Provider '{deployment.Id}' failed."), retryable: false, canFallback: true);
        }
    }

    /// <summary>The retry strategy of these settings, rebuilt only when a reload brings new settings.</summary>
    private ResiliencePipeline<AttemptOutcome> RetryPipeline(ResilienceOptions settings)
    {
        var current = _retry;
        return ReferenceEquals(current.Settings, settings) ? current.Pipeline : BuildRetryPipeline(settings);
    }

    // Apart from the lookup above: its lambdas capture the settings, and a method that makes them allocates their
    // closure on entry, on every call, whether it builds or not.
    private ResiliencePipeline<AttemptOutcome> BuildRetryPipeline(ResilienceOptions settings)
    {
        // No Polly telemetry: its wrapper times and tags every call, and each retry is counted below, with its reason.
        var builder = new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = time, Name = "xefai-vendor-retry" };
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<AttemptOutcome>
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { Retryable: true } result
                    && (result.RetryAfter is null || result.RetryAfter <= settings.MaxRetryAfter)
                    && (result.Call is not { } call || call.RetryFits(result.RetryAfter ?? settings.RetryBaseDelay))),
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
                OnRetry = args =>
                {
                    // The attempt that failed is the last one the call listed: its deployment, destination and error
                    // code are all bounded labels, and reading them allocates nothing.
                    if (args.Outcome.Result?.Call is { Attempts.Count: > 0 } call)
                    {
                        var failed = call.Attempts[^1];
                        metrics.RecordRetry(failed.Deployment, failed.Destination ?? LocalDestination, failed.Outcome);
                    }

                    return default;
                },
            });
        }

        var pipeline = builder.Build();
        _retry = new RetryFor(settings, pipeline);
        return pipeline;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Use case {UseCase}: deployment {From} failed ({Reason}); falling back to {To}.")]
    private static partial void LogFallback(ILogger logger, string useCase, string from, string reason, string to);

    [LoggerMessage(Level = LogLevel.Error, Message = "In-process provider of deployment {Deployment} threw.")]
    private static partial void LogProviderFailed(ILogger logger, Exception exception, string deployment);

    private sealed record RetryFor(ResilienceOptions? Settings, ResiliencePipeline<AttemptOutcome> Pipeline);
}

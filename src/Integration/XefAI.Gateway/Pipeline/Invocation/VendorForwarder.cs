using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Polly;
using Polly.CircuitBreaker;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using XefAI.Gateway.Configuration;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// One attempt at a vendor, forwarded by YARP's <see cref="IHttpForwarder"/> to a destination of the deployment's
/// cluster, behind that destination's circuit breaker. A buffered answer is read whole within the attempt's time; a
/// stream is returned started (headers received) for the pipeline to read. The vendor's failures are classified here:
/// retry, fall back, or neither.
/// <para>
/// What the client reads names the deployment at most: a cluster's and a destination's names and addresses are the
/// operator's (in the audit record's attempts and in the log). A vendor that cannot be reached gets one log line per
/// attempt, without a stack trace and at most <see cref="FailureLinesPerSecond"/> a second; YARP's own line for it,
/// a warning with the whole stack, is held back (see <c>VendorFailureLogs</c>).
/// </para>
/// </summary>
internal sealed partial class VendorForwarder(
    IProxyStateLookup proxyState,
    IHttpForwarder forwarder,
    VendorDestinations destinations,
    VendorCallBounds bounds,
    TimeProvider time,
    ILogger<VendorForwarder> logger)
{
    internal const int FailureLinesPerSecond = 5;

    private readonly LogBudget _failureLines = new(time, FailureLinesPerSecond);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<AttemptOutcome> ForwardAsync(
        CallAttempts call, ModelCall request, IModelProvider provider, ModelDeployment deployment, GatewaySnapshot config, CancellationToken token)
    {
        var options = config.Gateway;
        if (deployment.Cluster is null || !proxyState.TryGetCluster(deployment.Cluster, out var cluster))
        {
            LogClusterMissing(logger, deployment.Id, deployment.Cluster);
            return AttemptOutcome.Failed(
                CallError.Unavailable("vendor_not_configured", $"The model vendor of deployment '{deployment.Id}' is not configured."),
                retryable: false,
                canFallback: true);
        }

        var resilience = call.Resilience;
        var destination = destinations.Pick(call.HttpContext, cluster, resilience);
        if (destination is null)
        {
            return AttemptOutcome.Failed(
                CallError.Unavailable("circuit_open", $"Every destination of cluster '{cluster.ClusterId}' is unhealthy or has its circuit open.")
                    with { RetryAfter = destinations.UntilACircuitCloses(cluster, resilience) },
                retryable: false,
                canFallback: true);
        }

        var name = VendorDestinations.NameOf(cluster, destination);
        if (!config.NamesDestination(cluster.ClusterId, destination.DestinationId, destination.Model.Config.Address))
        {
            // An edit repointed this cluster after the call took its snapshot (a retry after a reload, or YARP already on a
            // newer copy). The call's de-identification was decided for the vendors its snapshot names, so it is never sent
            // elsewhere: the next deployment may serve it, else the client tries again under the configuration now in force.
            return AttemptOutcome.Failed(
                CallError.Unavailable(
                    "vendor_configuration_changed",
                    $"The configuration of deployment '{deployment.Id}' changed while the call was in flight; try again.") with { RetryAfter = TimeSpan.FromSeconds(1) },
                retryable: false,
                canFallback: true,
                destination: name);
        }

        call.ServerAddress = VendorDestinations.HostOf(cluster, destination);
        if (!VendorDestinations.TryResolveEndpoint(cluster, destination, out var endpoint, out var keyError))
        {
            return AttemptOutcome.Failed(
                keyError! with { Message = $"The model vendor of deployment '{deployment.Id}' {keyError.Message}" },
                retryable: false,
                canFallback: true,
                destination: name);
        }

        // A vendor that stops answering holds at most its own bound of calls; beyond it, the next deployment may serve the
        // call (chosen and de-identified for like this one), else it is refused at once. Outside the breaker: a full bound
        // says nothing of the vendor's health.
        if (!bounds.TryEnter(call, cluster.ClusterId, out var refusal))
        {
            return AttemptOutcome.Failed(refusal!, retryable: false, canFallback: true, destination: name);
        }

        // Waiting for the vendor is not the gateway's work: the place goes to a call it can work on meanwhile.
        call.LeavePlace();

        // The outcome form of the breaker's execution: no wrapper state machine of Polly's around the attempt, and an
        // open circuit comes back as an outcome instead of a thrown exception.
        var context = ResilienceContextPool.Shared.Get(token);
        Outcome<AttemptOutcome> outcome;
        try
        {
            outcome = await destinations.BreakerFor(cluster, destination, resilience).Pipeline.ExecuteOutcomeAsync(
                static (c, s) => s.Self.ForwardOnceAsync(s.Call, s.Request, s.Provider, s.Deployment, s.Cluster, s.Destination, s.Endpoint, s.Options, c.CancellationToken),
                context,
                (Self: this, Call: call, Request: request, Provider: provider, Deployment: deployment, Cluster: cluster, Destination: destination, Endpoint: endpoint, Options: options));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (outcome.Exception is BrokenCircuitException broken)
        {
            // Polly says how long the break has left; the client waits that long (at least a second) before it tries again.
            return AttemptOutcome.Failed(
                CallError.Unavailable("circuit_open", $"The circuit to model vendor '{name}' is open after repeated failures.")
                    with { RetryAfter = broken.RetryAfter ?? destinations.BreakerFor(cluster, destination, resilience).RemainingBreak },
                retryable: false,
                canFallback: true,
                destination: name);
        }

        outcome.ThrowIfException();
        return outcome.Result!;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome<AttemptOutcome>> ForwardOnceAsync(
        CallAttempts call,
        ModelCall request,
        IModelProvider provider,
        ModelDeployment deployment,
        ClusterState cluster,
        DestinationState destination,
        VendorEndpoint endpoint,
        GatewayOptions options,
        CancellationToken token)
    {
        VendorHttpRequest vendorRequest;
        try
        {
            vendorRequest = request.CreateVendorRequest(provider, deployment, endpoint);
        }
        catch (UnsupportedRequestException ex)
        {
            // The request asks for what this vendor cannot do: the client's to fix, so no retry and no fallback.
            return Outcome.FromResult(
                AttemptOutcome.Failed(CallError.InvalidRequest("unsupported_parameter", ex.Message, ex.Param), retryable: false, canFallback: false, endpoint.Name));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A provider plugin's bug or a bad deployment setting: the next deployment may still serve the call.
            LogProviderFailed(logger, ex, deployment.Id);
            return Outcome.FromResult(AttemptOutcome.Failed(
                ProviderErrors.BadGateway("provider_error", $"Provider '{deployment.Id}' could not translate the request."),
                retryable: false,
                canFallback: true,
                endpoint.Name));
        }

        var httpContext = call.HttpContext;

        // YARP streams the incoming request body to the vendor; the provider's translation takes its place.
        httpContext.Request.Body = MemoryMarshal.TryGetArray(vendorRequest.Body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(vendorRequest.Body.ToArray(), writable: false);
        httpContext.Request.ContentLength = vendorRequest.Body.Length;
        httpContext.Request.ContentType = vendorRequest.ContentType;

        var attemptTimeout = call.NextAttemptTimeout;
        var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
        attempt.CancelAfter(attemptTimeout);
        var stream = request.Stream
            ? new VendorAnswerStream(
                request.CreateStreamTranslator(provider, deployment), deployment.Id, options.MaxStreamLineBytes, options.StreamIdleTimeout,
                httpContext.RequestAborted, time)
            { Destination = endpoint.Name }
            : null;

        // A buffered answer must arrive whole within the attempt's time, body included: a vendor that sends its headers
        // and then stalls is cut at the attempt timeout. A stream runs on after its headers, bounded by the idle timeout
        // between events and by the call's total budget.
        var transformer = new VendorTransformer(
            vendorRequest,
            Activity.Current is null ? GatewayHeaders.VendorTraceParent(httpContext, call.TraceId) : null,
            options.MaxResponseBodyBytes,
            stream,
            onResponseHeaders: stream is null ? static () => { } : () => attempt.CancelAfter(Timeout.InfiniteTimeSpan),
            time);

        // YARP's activity timeout is an idle timer its own body copy resets; a relayed stream does not, so a streamed
        // call gets its whole budget and the total timeout bounds it.
        var requestConfig = RequestConfig(stream is null ? options.VendorTimeout : call.TotalTimeout);
        call.ModelAsked = true;
        var sending = forwarder.SendAsync(httpContext, destination.Model.Config.Address, cluster.Model.HttpClient, requestConfig, transformer, attempt.Token).AsTask();
        if (stream is not null && await Task.WhenAny(sending, stream.Attached) == stream.Attached)
        {
            // Started: the stream now owns the forwarding call and the attempt's cancellation.
            stream.Own(sending, attempt);
            return Outcome.FromResult(new AttemptOutcome { Stream = stream, Destination = endpoint.Name, VendorStatus = transformer.StatusCode });
        }

        ForwarderError error;
        try
        {
            error = await sending;
        }
        finally
        {
            attempt.Dispose();
        }

        // YARP may have set a status for its own error response; the pipeline writes the response itself.
        httpContext.Response.Clear();
        token.ThrowIfCancellationRequested();
        if (transformer.Response is { } response)
        {
            return Outcome.FromResult(Classify(request, provider, deployment, endpoint.Name, response, transformer.RetryAfter));
        }

        var failure = ClassifyTransportFailure(deployment.Id, endpoint.Name, error, transformer.ReadFailure, attempt.IsCancellationRequested, attemptTimeout);
        LogTransportFailure(deployment.Id, endpoint.Name, call.ServerAddress, failure.Error!.Code, error, httpContext.Features.Get<IForwarderErrorFeature>()?.Exception);
        return Outcome.FromResult(failure);
    }

    // The activity timeout is the whole of a call's forwarding settings, and it takes few values (the vendor timeout, a
    // stream's budget): the last one made is kept (an immutable record), not a new one per attempt.
    private static ForwarderRequestConfig? s_lastRequestConfig;

    private static ForwarderRequestConfig RequestConfig(TimeSpan activityTimeout)
    {
        var last = Volatile.Read(ref s_lastRequestConfig);
        if (last is not null && last.ActivityTimeout == activityTimeout)
        {
            return last;
        }

        last = new ForwarderRequestConfig { ActivityTimeout = activityTimeout };
        Volatile.Write(ref s_lastRequestConfig, last);
        return last;
    }

    private static AttemptOutcome Classify(
        ModelCall request, IModelProvider provider, ModelDeployment deployment, string vendor, VendorHttpResponse response, TimeSpan? retryAfter)
    {
        var status = response.StatusCode;
        string message;
        try
        {
            var outcome = request.ReadVendorResponse(provider, deployment, response);
            outcome.Destination = vendor;
            outcome.VendorStatus = status;
            return outcome;
        }
        catch (VendorResponseException ex)
        {
            message = $"The model vendor of deployment '{deployment.Id}' ({provider.Kind}) failed: {ex.Message}";
        }

        return status switch
        {
            >= 200 and < 300 => AttemptOutcome.Failed(
                ProviderErrors.BadGateway("vendor_invalid_response", message), retryable: false, canFallback: true, vendor, status),
            429 => AttemptOutcome.Failed(ProviderErrors.RateLimited(message, retryAfter), retryable: true, canFallback: true, vendor, status)
                with { RetryAfter = retryAfter },

            // The vendor refused the request itself: the client's fault, not the vendor's. Trying again, or another
            // deployment, would be refused the same way, and a vendor that works must not look like one that fails.
            400 or 404 or 413 or 422 => AttemptOutcome.Failed(
                ProviderErrors.RejectedRequest(status, message), retryable: false, canFallback: false, vendor, status),
            408 or >= 500 => AttemptOutcome.Failed(
                ProviderErrors.BadGateway("vendor_error", message), retryable: true, canFallback: true, vendor, status) with { RetryAfter = retryAfter },
            401 or 403 => AttemptOutcome.Failed(
                ProviderErrors.BadGateway("vendor_auth_failed", message + " Check the vendor key configured for this cluster."),
                retryable: false,
                canFallback: true,
                vendor,
                status),
            _ => AttemptOutcome.Failed(
                ProviderErrors.BadGateway("vendor_rejected_request", message), retryable: false, canFallback: false, vendor, status),
        };
    }

    private static AttemptOutcome ClassifyTransportFailure(
        string deployment, string vendor, ForwarderError error, string? readFailure, bool attemptTimedOut, TimeSpan attemptTimeout)
    {
        if (readFailure is not null)
        {
            return AttemptOutcome.Failed(
                ProviderErrors.BadGateway("vendor_invalid_response", $"The model vendor of deployment '{deployment}' failed: {readFailure}."),
                retryable: true,
                canFallback: true,
                vendor);
        }

        if (attemptTimedOut || error is ForwarderError.RequestTimedOut)
        {
            return AttemptOutcome.Failed(
                ProviderErrors.Timeout($"The model vendor of deployment '{deployment}' did not answer within {attemptTimeout.TotalSeconds:0.#} s."),
                retryable: true,
                canFallback: true,
                vendor);
        }

        return AttemptOutcome.Failed(
            ProviderErrors.BadGateway("vendor_unreachable", $"The model vendor of deployment '{deployment}' could not be reached ({error})."),
            retryable: true,
            canFallback: true,
            vendor);
    }

    /// <summary>One line, no stack: the deployment, the destination and its host, and the class of the failure.</summary>
    private void LogTransportFailure(string deployment, string destination, string? host, string code, ForwarderError error, Exception? exception)
    {
        if (!logger.IsEnabled(LogLevel.Warning) || !_failureLines.TryTake(out var suppressed))
        {
            return;
        }

        var innermost = exception;
        while (innermost?.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        var cause = innermost switch
        {
            null => error.ToString(),
            System.Net.Sockets.SocketException socket => $"{error}, {socket.SocketErrorCode}",
            _ => $"{error}, {innermost.GetType().Name}",
        };
        LogVendorFailed(logger, deployment, destination, host ?? "?", code, cause, suppressed);
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Deployment {Deployment}: vendor destination {Destination} ({Host}) failed before answering: {Code} ({Cause}); {Suppressed} such lines held back before this one.")]
    private static partial void LogVendorFailed(ILogger logger, string deployment, string destination, string host, string code, string cause, int suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deployment {Deployment} names cluster {Cluster}, which is not in ReverseProxy:Clusters.")]
    private static partial void LogClusterMissing(ILogger logger, string deployment, string? cluster);

    [LoggerMessage(Level = LogLevel.Error, Message = "Provider of deployment {Deployment} failed to translate the request.")]
    private static partial void LogProviderFailed(ILogger logger, Exception exception, string deployment);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Telemetry;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.OpenAI;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>The outcome of a call across all its attempts.</summary>
/// <param name="Final">How the last attempt ended.</param>
/// <param name="Deployment">The deployment of the last attempt.</param>
/// <param name="Attempts">Every attempt, for the audit record.</param>
/// <param name="Stream">The client's event stream, when the answer was streamed.</param>
internal sealed record Invocation(AttemptOutcome Final, ModelDeployment? Deployment, IReadOnlyList<AuditAttempt> Attempts, ServerSentEventWriter? Stream);

/// <summary>
/// Calls a use case's deployments in order until one answers. Each deployment is tried with retries
/// (jittered exponential backoff, Retry-After honoured) on 429, 5xx, timeouts and connection failures,
/// behind a circuit breaker per destination; then the next deployment is tried. Nothing is retried or
/// switched once bytes have reached the client. In-process providers answer directly; HTTP providers are
/// reached through YARP's <see cref="IHttpForwarder"/>, vendors being YARP clusters.
/// </summary>
internal sealed partial class ModelInvoker : IDisposable
{
    /// <summary>Cluster or destination metadata naming the environment variable that holds the vendor key.</summary>
    public const string ApiKeyVariableMetadata = "ApiKeyVariable";

    private static readonly string DefaultLoadBalancingPolicy = LoadBalancingPolicies.PowerOfTwoChoices;

    /// <summary>Carries the call's budget to the retry strategy, which must not start a retry the budget cannot hold.</summary>
    private static readonly ResiliencePropertyKey<CallAttempts> CallKey = new("xefai.call");

    /// <summary>
    /// Polly reports its own retries and circuit transitions on its <c>Polly</c> meter, exported as they are; its
    /// log lines are left out, since the gateway already logs fallbacks and failures with the call's context.
    /// </summary>
    private static readonly TelemetryOptions PollyTelemetry = new() { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance };

    private readonly IModelProviderCatalog _providers;
    private readonly IProxyStateLookup _proxyState;
    private readonly IHttpForwarder _forwarder;
    private readonly Dictionary<string, ILoadBalancingPolicy> _loadBalancers;
    private readonly LastGoodOptions<GatewayOptions> _options;
    private readonly LastGoodOptions<ResilienceOptions> _resilience;
    private readonly IGatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelInvoker> _logger;
    private readonly ConcurrentDictionary<string, Breaker> _breakers = new(StringComparer.OrdinalIgnoreCase);
    private readonly IDisposable? _subscription;
    private volatile ResiliencePipeline<AttemptOutcome> _retry;
    private volatile BreakerSettings _breakerSettings;

    public ModelInvoker(
        IModelProviderCatalog providers,
        IProxyStateLookup proxyState,
        IHttpForwarder forwarder,
        IEnumerable<ILoadBalancingPolicy> loadBalancers,
        LastGoodOptions<GatewayOptions> options,
        LastGoodOptions<ResilienceOptions> resilience,
        IOptionsMonitor<ResilienceOptions> resilienceChanges,
        IGatewayMetrics metrics,
        TimeProvider time,
        ILogger<ModelInvoker> logger)
    {
        _providers = providers;
        _proxyState = proxyState;
        _forwarder = forwarder;
        _loadBalancers = loadBalancers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        _options = options;
        _resilience = resilience;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _retry = BuildRetry(resilience.Value);
        _breakerSettings = BreakerSettings.Of(resilience.Value);
        _subscription = resilienceChanges.OnChange(changed =>
        {
            // New settings take effect for the next call. A breaker is state, not configuration: it is rebuilt only
            // when its own thresholds change, so an unrelated edit (any reload fires this) leaves an open circuit open.
            _retry = BuildRetry(changed);
            var settings = BreakerSettings.Of(changed);
            if (settings != _breakerSettings)
            {
                _breakerSettings = settings;
                _breakers.Clear();
            }
        });
    }

    public async Task<Invocation> InvokeAsync(
        HttpContext httpContext,
        ModelRequest request,
        IReadOnlyList<ModelDeployment> candidates,
        string useCaseId,
        Func<ModelDeployment, Task<bool>> onStreamStarting)
    {
        var (totalTimeout, attemptTimeout) = _resilience.Value.TimeoutsFor(useCaseId);
        using var total = new CancellationTokenSource(totalTimeout, _time);
        using var link = httpContext.RequestAborted.Register(static state => ((CancellationTokenSource)state!).Cancel(), total);
        var call = new CallAttempts(httpContext, attemptTimeout, totalTimeout, _time, onStreamStarting);
        AttemptOutcome last = AttemptOutcome.Failed(
            CallError.Unavailable("no_provider", "No deployment could be tried."), retryable: false, canFallback: false);
        ModelDeployment? lastDeployment = null;

        for (var i = 0; i < candidates.Count; i++)
        {
            lastDeployment = candidates[i];
            var attemptRequest = request with { Deployment = lastDeployment };
            try
            {
                var context = ResilienceContextPool.Shared.Get(total.Token);
                context.Properties.Set(CallKey, call);
                try
                {
                    last = await _retry.ExecuteAsync(
                        static (ctx, state) => state.Invoker.AttemptAsync(state.Call, state.Request, ctx.CancellationToken),
                        context,
                        (Invoker: this, Call: call, Request: attemptRequest));
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }
            }
            catch (OperationCanceledException) when (!httpContext.RequestAborted.IsCancellationRequested)
            {
                last = AttemptOutcome.Failed(
                    ProviderErrors.Timeout($"The use case's total timeout of {totalTimeout.TotalSeconds:0.#} s ran out."),
                    retryable: false,
                    canFallback: false);
            }

            if (last.Succeeded || last.ResponseStarted || !last.CanFallback || i == candidates.Count - 1)
            {
                break;
            }

            _metrics.RecordFallback(useCaseId, lastDeployment.Id, last.Error!.Code);
            LogFallback(_logger, useCaseId, lastDeployment.Id, last.Error.Code, candidates[i + 1].Id);
        }

        return new Invocation(last, lastDeployment, call.Attempts, call.Writer);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
    }

    private async ValueTask<AttemptOutcome> AttemptAsync(CallAttempts call, ModelRequest request, CancellationToken token)
    {
        var started = _time.GetTimestamp();
        var outcome = await AttemptCoreAsync(call, request, token);
        call.Attempts.Add(new AuditAttempt(
            request.Deployment.Id,
            outcome.Destination,
            outcome.Error?.Code ?? "answered",
            outcome.VendorStatus,
            Math.Round(_time.GetElapsedTime(started).TotalMilliseconds, 3)));
        return outcome;
    }

    private async ValueTask<AttemptOutcome> AttemptCoreAsync(CallAttempts call, ModelRequest request, CancellationToken token)
    {
        var deployment = request.Deployment;
        if (!_providers.TryGet(deployment.Kind, out var provider))
        {
            return AttemptOutcome.Failed(
                CallError.Unavailable("provider_unavailable", $"No provider plugin of kind '{deployment.Kind}' is loaded for deployment '{deployment.Id}'."),
                retryable: false,
                canFallback: true);
        }

        return provider switch
        {
            IInProcessModelProvider inProcess => await AnswerInProcessAsync(call, inProcess, request, token),
            IHttpModelProvider http => await ForwardAsync(call, http, request, token),
            _ => AttemptOutcome.Failed(
                CallError.Unavailable("provider_unavailable", $"Provider '{deployment.Kind}' is neither an HTTP nor an in-process provider."),
                retryable: false,
                canFallback: true),
        };
    }

    private async Task<AttemptOutcome> AnswerInProcessAsync(
        CallAttempts call, IInProcessModelProvider provider, ModelRequest request, CancellationToken token)
    {
        var attemptTimeout = call.NextAttemptTimeout;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
        attempt.CancelAfter(attemptTimeout);
        ModelResponse answer;
        try
        {
            answer = await provider.CompleteAsync(request, attempt.Token);
        }
        catch (OperationCanceledException) when (attempt.IsCancellationRequested && !token.IsCancellationRequested)
        {
            return AttemptOutcome.Failed(
                ProviderErrors.Timeout($"Provider '{request.Deployment.Id}' did not answer within {attemptTimeout.TotalSeconds:0.#} s."),
                retryable: true,
                canFallback: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A plugin's bug must not become a 500: the call falls back, and the log keeps the details.
            LogProviderFailed(_logger, ex, request.Deployment.Id);
            return AttemptOutcome.Failed(
                ProviderErrors.BadGateway("provider_error", $"Provider '{request.Deployment.Id}' failed."), retryable: false, canFallback: true);
        }

        if (!request.Options.Stream)
        {
            return new AttemptOutcome { Answer = answer };
        }

        if (!await call.OnStreamStarting(request.Deployment))
        {
            return call.Refused();
        }

        var writer = await call.StartStreamAsync(token);
        foreach (var chunk in ChatCompletionChunks.From(answer, request.Options.IncludeUsage))
        {
            await writer.WriteChunkAsync(chunk, token);
        }

        await writer.FlushAsync(token);
        return new AttemptOutcome
        {
            Stream = new StreamedAnswer(answer.Content, answer.FinishReason, answer.Usage, answer.Model),
            ResponseStarted = true,
        };
    }

    private async Task<AttemptOutcome> ForwardAsync(CallAttempts call, IHttpModelProvider provider, ModelRequest request, CancellationToken token)
    {
        var deployment = request.Deployment;
        if (deployment.Cluster is null || !_proxyState.TryGetCluster(deployment.Cluster, out var cluster))
        {
            return AttemptOutcome.Failed(
                CallError.Unavailable("vendor_not_configured", $"Deployment '{deployment.Id}' names cluster '{deployment.Cluster}', which is not in ReverseProxy:Clusters."),
                retryable: false,
                canFallback: true);
        }

        var destination = PickDestination(call.HttpContext, cluster);
        if (destination is null)
        {
            return AttemptOutcome.Failed(
                CallError.Unavailable("circuit_open", $"Every destination of cluster '{cluster.ClusterId}' is unhealthy or has its circuit open."),
                retryable: false,
                canFallback: true);
        }

        var name = $"{cluster.ClusterId}/{destination.DestinationId}";
        if (!TryResolveEndpoint(cluster, destination, name, out var endpoint, out var keyError))
        {
            return AttemptOutcome.Failed(keyError, retryable: false, canFallback: true, destination: name);
        }

        var breaker = BreakerFor(name);
        try
        {
            return await breaker.Pipeline.ExecuteAsync(
                static (s, t) => s.Invoker.ForwardOnceAsync(s.Call, s.Provider, s.Request, s.Cluster, s.Destination, s.Endpoint, t),
                (Invoker: this, Call: call, Provider: provider, Request: request, Cluster: cluster, Destination: destination, Endpoint: endpoint),
                token);
        }
        catch (BrokenCircuitException)
        {
            return AttemptOutcome.Failed(
                CallError.Unavailable("circuit_open", $"The circuit to model vendor '{name}' is open after repeated failures."),
                retryable: false,
                canFallback: true,
                destination: name);
        }
    }

    private async ValueTask<AttemptOutcome> ForwardOnceAsync(
        CallAttempts call,
        IHttpModelProvider provider,
        ModelRequest request,
        ClusterState cluster,
        DestinationState destination,
        VendorEndpoint endpoint,
        CancellationToken token)
    {
        var httpContext = call.HttpContext;
        var options = _options.Value;
        VendorHttpRequest vendorRequest;
        try
        {
            vendorRequest = provider.CreateRequest(request, endpoint);
        }
        catch (UnsupportedRequestException ex)
        {
            // The request asks for what this vendor cannot do: the client's to fix, so no retry and no fallback.
            return AttemptOutcome.Failed(
                CallError.InvalidRequest("unsupported_parameter", ex.Message, ex.Param), retryable: false, canFallback: false, endpoint.Name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A provider plugin's bug or a bad deployment setting: the next deployment may still serve the call.
            LogProviderFailed(_logger, ex, request.Deployment.Id);
            return AttemptOutcome.Failed(
                ProviderErrors.BadGateway("provider_error", $"Provider '{request.Deployment.Id}' could not translate the request."),
                retryable: false,
                canFallback: true,
                endpoint.Name);
        }

        // YARP streams the incoming request body to the vendor; the provider's translation takes its place.
        httpContext.Request.Body = new MemoryStream(vendorRequest.Body.ToArray(), writable: false);
        httpContext.Request.ContentLength = vendorRequest.Body.Length;
        httpContext.Request.ContentType = vendorRequest.ContentType;

        var attemptTimeout = call.NextAttemptTimeout;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
        attempt.CancelAfter(attemptTimeout);
        var streaming = request.Options.Stream
            ? new StreamingAttempt(
                provider.CreateStreamTranslator(request),
                call,
                request.Deployment,
                endpoint.Name,
                new StreamLimits(options.MaxResponseBodyBytes, options.MaxStreamLineBytes, options.StreamIdleTimeout),
                _time)
            : null;

        // A buffered answer must arrive whole within the attempt's time, body included: a vendor that sends its
        // headers and then stalls is cut at the attempt timeout. A stream runs on after its headers, bounded by
        // the idle timeout between events and by the call's total budget.
        var transformer = new VendorTransformer(
            vendorRequest,
            options.MaxResponseBodyBytes,
            streaming,
            onResponseHeaders: streaming is null ? static () => { } : () => attempt.CancelAfter(Timeout.InfiniteTimeSpan),
            _time);

        // YARP's activity timeout is an idle timer its own body copy resets; a relayed stream does not, so a
        // streamed call gets its whole budget and the total timeout bounds it.
        var requestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = streaming is null ? options.VendorTimeout : call.TotalTimeout,
        };

        var error = await _forwarder.SendAsync(
            httpContext, destination.Model.Config.Address, cluster.Model.HttpClient, requestConfig, transformer, attempt.Token);

        if (streaming is { Started: true } || streaming?.Refused == true)
        {
            return streaming.Outcome;
        }

        // YARP may have set a status for its own error response; the gateway writes the response itself.
        httpContext.Response.Clear();
        if (token.IsCancellationRequested)
        {
            token.ThrowIfCancellationRequested();
        }

        var vendor = endpoint.Name;
        if (transformer.Response is not { } response)
        {
            return ClassifyTransportFailure(vendor, error, transformer.ReadFailure, attempt.IsCancellationRequested, attemptTimeout);
        }

        var status = response.StatusCode;
        string message;
        try
        {
            var answer = provider.ReadResponse(request, response);
            return new AttemptOutcome { Answer = answer, Destination = vendor, VendorStatus = status };
        }
        catch (VendorResponseException ex)
        {
            message = $"Model vendor '{vendor}' ({provider.Kind}) failed: {ex.Message}";
        }

        return status switch
        {
            >= 200 and < 300 => AttemptOutcome.Failed(
                ProviderErrors.BadGateway("vendor_invalid_response", message), retryable: false, canFallback: true, vendor, status),
            429 => AttemptOutcome.Failed(ProviderErrors.RateLimited(message, transformer.RetryAfter), retryable: true, canFallback: true, vendor, status)
                with { RetryAfter = transformer.RetryAfter },

            // The vendor refused the request itself: the client's fault, not the vendor's. Trying again, or another
            // deployment, would be refused the same way, and a vendor that works must not look like one that fails.
            400 or 404 or 413 or 422 => AttemptOutcome.Failed(
                ProviderErrors.RejectedRequest(status, message), retryable: false, canFallback: false, vendor, status),
            408 or >= 500 => AttemptOutcome.Failed(
                ProviderErrors.BadGateway("vendor_error", message), retryable: true, canFallback: true, vendor, status) with { RetryAfter = transformer.RetryAfter },
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
        string vendor, ForwarderError error, string? readFailure, bool attemptTimedOut, TimeSpan attemptTimeout)
    {
        if (readFailure is not null)
        {
            return AttemptOutcome.Failed(
                ProviderErrors.BadGateway("vendor_invalid_response", $"Model vendor '{vendor}' failed: {readFailure}."),
                retryable: true,
                canFallback: true,
                vendor);
        }

        if (attemptTimedOut || error is ForwarderError.RequestTimedOut)
        {
            return AttemptOutcome.Failed(
                ProviderErrors.Timeout($"Model vendor '{vendor}' did not answer within {attemptTimeout.TotalSeconds:0.#} s."),
                retryable: true,
                canFallback: true,
                vendor);
        }

        return AttemptOutcome.Failed(
            ProviderErrors.BadGateway("vendor_unreachable", $"Model vendor '{vendor}' could not be reached ({error})."),
            retryable: true,
            canFallback: true,
            vendor);
    }

    private DestinationState? PickDestination(HttpContext httpContext, ClusterState cluster)
    {
        var available = cluster.DestinationsState.AvailableDestinations
            .Where(d => BreakerFor($"{cluster.ClusterId}/{d.DestinationId}").State != CircuitState.Open)
            .ToList();
        if (available.Count <= 1)
        {
            return available.Count == 1 ? available[0] : null;
        }

        var policyName = cluster.Model.Config.LoadBalancingPolicy ?? DefaultLoadBalancingPolicy;
        return _loadBalancers.TryGetValue(policyName, out var policy)
            ? policy.PickDestination(httpContext, cluster, available)
            : available[0];
    }

    private static bool TryResolveEndpoint(
        ClusterState cluster, DestinationState destination, string name, out VendorEndpoint endpoint, out CallError error)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in new[] { cluster.Model.Config.Metadata, destination.Model.Config.Metadata })
        {
            foreach (var (key, value) in source ?? new Dictionary<string, string>())
            {
                metadata[key] = value;
            }
        }

        string? apiKey = null;
        error = null!;
        if (metadata.TryGetValue(ApiKeyVariableMetadata, out var variable) && !string.IsNullOrWhiteSpace(variable))
        {
            apiKey = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(apiKey))
            {
                endpoint = null!;
                error = CallError.Unavailable(
                    "vendor_key_missing", $"Model vendor '{name}' needs its key in environment variable {variable}, which is not set.");
                return false;
            }
        }

        endpoint = new VendorEndpoint(name, apiKey, metadata);
        return true;
    }

    private Breaker BreakerFor(string destination) =>
        _breakers.GetOrAdd(destination, static (name, state) => new Breaker(name, state.Settings, state.Time), (Settings: _breakerSettings, Time: _time));

    private ResiliencePipeline<AttemptOutcome> BuildRetry(ResilienceOptions settings)
    {
        var builder = new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = _time, Name = "xefai-vendor-retry" };
        builder.ConfigureTelemetry(PollyTelemetry);
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<AttemptOutcome>
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { Retryable: true, ResponseStarted: false } result
                    && (result.RetryAfter is null || result.RetryAfter <= settings.MaxRetryAfter)
                    && (!args.Context.Properties.TryGetValue(CallKey, out var call) || call.RetryFits(result.RetryAfter ?? settings.RetryBaseDelay))),
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
            });
        }

        return builder.Build();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Use case {UseCase}: deployment {From} failed ({Reason}); falling back to {To}.")]
    private static partial void LogFallback(ILogger logger, string useCase, string from, string reason, string to);

    [LoggerMessage(Level = LogLevel.Error, Message = "In-process provider of deployment {Deployment} threw.")]
    private static partial void LogProviderFailed(ILogger logger, Exception exception, string deployment);

    /// <summary>The settings a breaker is built from; a breaker is rebuilt only when these change.</summary>
    private sealed record BreakerSettings(double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration, TimeSpan BreakDuration)
    {
        public static BreakerSettings Of(ResilienceOptions options) => new(
            options.BreakerFailureRatio, options.BreakerMinimumThroughput, options.BreakerSamplingDuration, options.BreakerBreakDuration);
    }

    /// <summary>A circuit breaker for one destination, counting retryable failures (429, 5xx, timeouts, connection errors).</summary>
    private sealed class Breaker
    {
        private readonly CircuitBreakerStateProvider _state = new();

        public Breaker(string destination, BreakerSettings settings, TimeProvider time)
        {
            // The instance name is the configured destination: a bounded label on Polly's meter.
            Pipeline = new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = time, Name = "xefai-vendor-breaker", InstanceName = destination }
                .ConfigureTelemetry(PollyTelemetry)
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptOutcome>
                {
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Retryable: true }),
                    FailureRatio = settings.FailureRatio,
                    MinimumThroughput = settings.MinimumThroughput,
                    SamplingDuration = settings.SamplingDuration,
                    BreakDuration = settings.BreakDuration,
                    StateProvider = _state,
                })
                .Build();
        }

        public ResiliencePipeline<AttemptOutcome> Pipeline { get; }

        public CircuitState State => _state.CircuitState;
    }
}

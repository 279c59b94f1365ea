using System.Diagnostics;
using System.Runtime.CompilerServices;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Security;
using XefAI.Gateway.Tracing;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// The governed pipeline: one call's way through the gateway, the same for every way in. The steps run in the order
/// below; the first that refuses or fails the call ends its way to the model, and the call is then audited and
/// answered with that error. Every outcome of an authenticated call leaves exactly one committed audit record (a
/// stream: an opening and a closing record), or the caller gets 503. A call the gateway has no room for is shed
/// instead (503 <c>overloaded</c>, counted, not audited; <see cref="LoadShedder"/>): when its body arrives with the
/// reading slots or the body budget full, or when no processing place is free once it has.
/// </summary>
internal sealed partial class CallPipeline : IGovernedPipeline
{
    /// <summary>A call refused because the gateway had no memory left for it.</summary>
    public const string InsufficientMemoryCode = "insufficient_memory";

    private readonly ICallStep[] _toTheModel;
    private readonly ICallStep[] _toTheClient;
    private readonly string[] _toTheModelSpans;
    private readonly string[] _toTheClientSpans;
    private readonly GatewaySnapshots _snapshots;
    private readonly CallMeasurements _measurements;
    private readonly LoadShedder _shedder;
    private readonly TimeProvider _time;
    private readonly ILogger<CallPipeline> _logger;

    public CallPipeline(
        AuthenticateStep authenticate,
        ReadRequestStep readRequest,
        ResolveUseCaseStep resolveUseCase,
        GovernStep govern,
        BufferCheckedStreamStep bufferCheckedStream,
        BuildContextStep buildContext,
        ComposePromptStep composePrompt,
        ChooseDeploymentsStep chooseDeployments,
        ProtectDataStep protectData,
        InvokeModelStep invokeModel,
        RestoreDataStep restoreData,
        CheckOutputStep checkOutput,
        ReviewStep review,
        CommitAuditStep commitAudit,
        QueueReviewStep queueReview,
        ReleaseStep release,
        GatewaySnapshots snapshots,
        CallMeasurements measurements,
        LoadShedder shedder,
        TimeProvider time,
        ILogger<CallPipeline> logger)
    {
        // A call's way, top to bottom.
        _toTheModel =
        [
            authenticate,       // client app API key → app identity and granted use cases
            readRequest,        // the body, once, within limits, in a reading slot; then a processing place; the adapter translates it
            resolveUseCase,     // the use case named, and granted to the app
            govern,             // policy decision and the tier's obligations
            bufferCheckedStream, // a stream the output checks must read whole: asked of the model as one body
            buildContext,       // clinical context from the request's FHIR data
            composePrompt,      // the use case's prompt template, for a clinical task
            chooseDeployments,  // the deployments governance lets serve the call
            protectData,        // de-identify what leaves for any of them that does not cover PHI
            invokeModel,        // retry, breaker, fallback; a started response
            restoreData,        // re-identify the answer where the tier allows
            checkOutput,        // output checks
            review,             // hold for review, or release as draft
        ];

        // Whatever happened above: audited, then answered.
        _toTheClient =
        [
            commitAudit,        // committed before the first byte; fail closed
            queueReview,        // a held answer waits for a clinician
            release,            // the adapter's rendering, written with the governance headers
        ];

        // Each step's span name, computed once: a traced call allocates no names.
        _toTheModelSpans = Array.ConvertAll(_toTheModel, s => GatewayTracing.StepSpanName(s.GetType()));
        _toTheClientSpans = Array.ConvertAll(_toTheClient, s => GatewayTracing.StepSpanName(s.GetType()));
        _snapshots = snapshots;
        _measurements = measurements;
        _shedder = shedder;
        _time = time;
        _logger = logger;
    }

    public async Task RunAsync(HttpContext httpContext, IProtocolAdapter adapter)
    {
        // The pipeline writes the call's own record (or, keyless, reports it to the aggregate): no access record.
        AccessAudit.MarkAudited(httpContext);

        await RunCallAsync(httpContext, adapter);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunCallAsync(HttpContext httpContext, IProtocolAdapter adapter)
    {
        await using var call = new CallContext(
            httpContext, adapter, _snapshots.Current, GatewayHeaders.ResolveTraceId(httpContext), _time.GetTimestamp(), _time.GetUtcNow());
        try
        {
            // The request's span (ASP.NET Core's, joined to the caller's traceparent), if anyone records it.
            var serverSpan = Activity.Current;

            // The adapter reads its limits from the call's own snapshot, too.
            httpContext.Features.Set(call.Config);
            try
            {
                for (var i = 0; i < _toTheModel.Length; i++)
                {
                    // Inline, not a helper method: an untraced call pays no extra async state per step.
                    using (var span = GatewayTracing.Source.StartActivity(_toTheModelSpans[i]))
                    {
                        var before = call.Error;
                        await _toTheModel[i].ExecuteAsync(call);
                        GatewayTracing.StepEnded(span, before, call.Error);
                    }

                    if (call.Error is not null)
                    {
                        break;
                    }

                    // Shed: the gateway had no room for the call. Counted, not audited; a client that left waiting gets nothing.
                    if (call.ShedBy is { } bound)
                    {
                        await _shedder.ShedAsync(httpContext, call.Adapter, bound);
                        return;
                    }

                    if (call.LeftWaiting)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (call.Aborted.IsCancellationRequested)
            {
                call.Error = CallError.ClientClosed("The client closed the request.");
            }
            catch (GovernanceStateUnavailableException ex)
            {
                // Not a bug: a store outage. The call is refused as the other stores' outages are, and retried later.
                // A call that tried the store and failed is an error; one refused at once, while the store is known to
                // be failing, is its consequence, logged at debug: the store's own failure is logged once per attempt,
                // and a line per refused call wrote about a thousand error lines a second in fault round 27's drill.
                if (ex.InnerException is { } cause)
                {
                    LogGovernanceStateUnavailable(_logger, cause.GetType().Name, call.TraceId);
                }
                else
                {
                    LogGovernanceStateRefusedAtOnce(_logger, call.TraceId);
                }
                call.Error = CallError.Unavailable(
                    "governance_state_unavailable",
                    "The governance state store could not be read, so the call cannot be governed; nothing was sent to a model. Retry later.")
                    with { RetryAfter = TimeSpan.FromSeconds(1) };
            }
            catch (OutOfMemoryException)
            {
                // Not a bug and not the caller's fault: the gateway had no memory for this call (large bodies in flight at
                // once). Refused like the other outages, to be retried, and not counted against the use case.
                LogOutOfMemory(_logger, call.TraceId);
                call.Error = CallError.Unavailable(
                    InsufficientMemoryCode,
                    "The gateway ran out of memory for this call; nothing was sent to a model. Retry later.")
                    with { RetryAfter = TimeSpan.FromSeconds(1) };
            }
            catch (Exception ex)
            {
                // A bug in a step or a plugin's adapter: the call is still audited and answered, with no detail leaked.
                LogStepFailed(_logger, ex, call.TraceId);
                call.Error = new CallError(
                    StatusCodes.Status500InternalServerError, "internal_error", $"The gateway failed unexpectedly; quote trace id {call.TraceId} when reporting it.");
            }

            for (var i = 0; i < _toTheClient.Length; i++)
            {
                using var span = GatewayTracing.Source.StartActivity(_toTheClientSpans[i]);
                var before = call.Error;
                await _toTheClient[i].ExecuteAsync(call);
                GatewayTracing.StepEnded(span, before, call.Error);
            }

            GatewayTracing.CallEnded(serverSpan, call);

            if (call.App is not null)
            {
                _measurements.Record(call);
            }
        }
        finally
        {
            // What the call held of the gateway's bounds, given back once it is answered (or shed).
            call.Place?.Dispose();
            _shedder.ReturnBodyBytes(call);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The governance state store could not be read ({ExceptionType}) for trace {TraceId}; the call is answered 503 and audited.")]
    private static partial void LogGovernanceStateUnavailable(ILogger logger, string exceptionType, string traceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The governance state store is failing, so trace {TraceId} was refused at once; the call is answered 503 and audited.")]
    private static partial void LogGovernanceStateRefusedAtOnce(ILogger logger, string traceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The gateway ran out of memory on trace {TraceId}; the call is answered 503 and audited.")]
    private static partial void LogOutOfMemory(ILogger logger, string traceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A step of trace {TraceId} failed; the call is answered 500 and audited.")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string traceId);
}

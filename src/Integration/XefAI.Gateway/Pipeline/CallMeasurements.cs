using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// Counts a finished call: the call metrics (a call that failed at a vendor is labelled with the deployment tried
/// last, so the failing vendor is named), the values de-identified by kind, and the error-rate monitor that suspends
/// a failing use case.
/// </summary>
/// <remarks>
/// Every label is bounded: use cases, apps and deployments come from configuration, never from the request, and a model
/// the vendor names that is not the deployment's registered one is <c>other</c>.
/// </remarks>
internal sealed class CallMeasurements(
    IGatewayMetrics metrics, IErrorRateMonitor errorRates, TimeProvider time, CallStatistics? statistics = null, DriftMonitor? drift = null)
{
    private const string None = "none";
    private const string Other = "other";

    /// <summary>
    /// Whether a failed call says something about the use case's model for the automatic suspension, which exists to stop
    /// a model that misbehaves: one that was asked and failed (an error, a timeout, an answer that cannot be read). A call
    /// no model answered because the gateway refused to ask one or could not reach it says nothing about the model, and
    /// is not counted: the gateway's own stores, its bugs and its load shedding; an edit of a vendor's address in flight;
    /// the EHR's FHIR server; a vendor's open circuit, a vendor that could not be connected to, and the bound on calls
    /// waiting for one vendor; a deployment the configuration leaves unreachable (no key or a key the vendor refuses, no cluster, no provider).
    /// Counted, a database blip or a vendor outage would suspend each active use case, each then waiting for a person to
    /// resume it long after the outage is over; the circuit breaker and the fallback are what answer an outage, and both
    /// end by themselves. They still count as failures in the metrics and the status report.
    /// </summary>
    internal static bool CountsAgainstTheUseCase(CallError? error) => error?.Code is not (
        "audit_unavailable" or "review_queue_unavailable" or "governance_state_unavailable" or "overloaded" or "insufficient_memory"
        or "internal_error" or "fhir_server_error" or "fhir_server_unauthorized" or "vendor_configuration_changed"
        or "circuit_open" or "vendor_overloaded" or "vendor_unreachable" or "vendor_auth_failed" or "vendor_key_missing" or "vendor_not_configured" or "provider_unavailable" or "no_provider");

    public void Record(CallContext call)
    {
        var outcome = call.Outcome;
        var status = call.StatusCode;
        if (call.UseCase is not null && outcome is CallOutcomes.Answered or CallOutcomes.Held or CallOutcomes.Failed)
        {
            var failed = outcome == CallOutcomes.Failed && status != 499;
            errorRates.RecordOutcome(call.UseCase.Id, failed && CountsAgainstTheUseCase(call.Error));
            statistics?.Record(
                call.UseCase.Id,
                call.Deployment?.Id,
                failed,
                time.GetElapsedTime(call.Started),
                outcome == CallOutcomes.Answered && call.Deployment is { } answeredBy ? AuditRecorder.CostOf(answeredBy, call.Usage) : null);
            RecordDrift(call, outcome);
        }

        var deployment = call.Deployment;
        var answered = outcome == CallOutcomes.Answered && deployment is not null;
        var usage = outcome is CallOutcomes.Answered or CallOutcomes.Held ? call.Usage : call.Stream?.Result?.Usage;
        metrics.RecordCall(new CallMeasurement(
            call.UseCase?.Id ?? Other,
            (int?)call.UseCase?.Tier ?? 0,
            deployment?.Kind ?? None,
            deployment?.VendorModel ?? None,
            outcome,
            status,
            time.GetElapsedTime(call.Started),
            call.VendorDuration,
            usage?.InputTokens,
            usage?.OutputTokens,
            answered ? AuditRecorder.CostOf(deployment, usage) : null,
            deployment?.Id ?? None,
            ModelErrorType(call),
            call.Request?.Operation == CallOperation.Embeddings ? GenAiOperations.Embeddings : GenAiOperations.Chat,
            deployment is null ? null : ResponseModel(deployment, call),
            deployment is null ? null : call.Attempts?.ServerAddress,
            call.App?.Id ?? None));
        if (answered && deployment!.Lifecycle == ModelLifecycle.Deprecated)
        {
            metrics.RecordDeprecatedModelCall(deployment.Id);
        }

        // Normalized by the protect step: bounded kinds, counts only.
        if (call.DeIdentification == DeIdentificationOutcomes.Applied && call.Redactions is { } redactions)
        {
            foreach (var (kind, count) in redactions)
            {
                metrics.RecordPhiRedactions(kind, count);
            }
        }
    }

    /// <summary>
    /// The <c>error.type</c> of the call's GenAI operation: the call's error code unless the model answered. A whole
    /// answer the gateway then refused (an output check, a failed audit commit) was a successful operation of the model,
    /// failed by the gateway, and is counted as such in <c>xefai_requests_total</c> only; a stream cut short is not a
    /// whole answer.
    /// </summary>
    private static string? ModelErrorType(CallContext call) =>
        call.Deployment is null || call.Error is not { } error || call.Invocation?.Final is { Error: null, Stream: null }
            ? null
            : error.Code;

    /// <summary>
    /// The model the vendor said answered, as a bounded label: the deployment's registered vendor model (the same string,
    /// so no copy) when it matches, <c>other</c> when the vendor named any other, null when no answer came.
    /// </summary>
    private static string? ResponseModel(ModelDeployment deployment, CallContext call)
    {
        var model = call.Answer?.Model ?? call.Embeddings?.Model ?? call.Stream?.VendorResult?.Model;
        if (model is null)
        {
            return null;
        }

        if (string.Equals(model, deployment.VendorModel, StringComparison.Ordinal))
        {
            return deployment.VendorModel;
        }

        // OpenAI answers with the dated snapshot of the model asked for ("gpt-4o-mini" → "gpt-4o-mini-2024-07-18"): a
        // snapshot of the registered model is named as the vendor named it; a vendor has few of them, so the label stays bounded.
        return IsSnapshotOf(model, deployment.VendorModel) ? model : Other;
    }

    /// <summary>"&lt;registered&gt;-YYYY-MM-DD" or "&lt;registered&gt;-MMDD" (OpenAI's older snapshots, "gpt-4-0613").</summary>
    internal static bool IsSnapshotOf(string model, string registered)
    {
        if (model.Length <= registered.Length + 1 || !model.StartsWith(registered, StringComparison.Ordinal) || model[registered.Length] != '-')
        {
            return false;
        }

        var suffix = model.AsSpan(registered.Length + 1);
        return suffix.Length switch
        {
            4 => !suffix.ContainsAnyExceptInRange('0', '9'),
            10 => suffix[4] == '-' && suffix[7] == '-'
                && !suffix[..4].ContainsAnyExceptInRange('0', '9')
                && !suffix.Slice(5, 2).ContainsAnyExceptInRange('0', '9')
                && !suffix.Slice(8, 2).ContainsAnyExceptInRange('0', '9'),
            _ => false,
        };
    }

    /// <summary>An answer's features for drift (chat answers only, buffered or streamed): its shape, and which declared label it is; never its text.</summary>
    private void RecordDrift(CallContext call, string outcome)
    {
        if (drift is null || outcome is not (CallOutcomes.Answered or CallOutcomes.Held) || call.UseCase is not { } useCase)
        {
            return;
        }

        if (call.Answer is { } answer)
        {
            drift.Record(
                useCase.Id, useCase.OutputLabels, answer.Usage?.OutputTokens, time.GetElapsedTime(call.Started), string.IsNullOrWhiteSpace(answer.Content), answer.FinishReason, answer.Content);
        }
        else if (call.Stream?.Result is { } streamed)
        {
            drift.Record(
                useCase.Id, useCase.OutputLabels, streamed.Usage?.OutputTokens, time.GetElapsedTime(call.Started), string.IsNullOrWhiteSpace(streamed.Content), streamed.FinishReason, streamed.Content);
        }
    }
}

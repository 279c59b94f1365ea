using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// Counts a finished call: the call metrics (a call that failed at a vendor is labelled with the deployment tried
/// last, so the failing vendor is named), the values de-identified by kind, and the error-rate monitor that suspends
/// a failing use case.
/// </summary>
internal sealed class CallMeasurements(IGatewayMetrics metrics, IErrorRateMonitor errorRates, TimeProvider time)
{
    private const string None = "none";

    public void Record(CallContext call)
    {
        var outcome = call.Outcome;
        var status = call.StatusCode;
        if (call.UseCase is not null && outcome is CallOutcomes.Answered or CallOutcomes.Held or CallOutcomes.Failed)
        {
            errorRates.RecordOutcome(call.UseCase.Id, failed: outcome == CallOutcomes.Failed && status != 499);
        }

        var deployment = call.Deployment;
        var answered = outcome == CallOutcomes.Answered && deployment is not null;
        var usage = outcome is CallOutcomes.Answered or CallOutcomes.Held ? call.Usage : call.Stream?.Result?.Usage;
        metrics.RecordCall(new CallMeasurement(
            call.UseCase?.Id ?? "other",
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
            deployment is not null && call.Error is { } error ? error.Code : null));
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
}

using System.Diagnostics;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Tracing;

/// <summary>
/// The gateway's spans: one per pipeline step, one per provider attempt (the parent of YARP's and HttpClient's
/// outgoing HTTP spans) and one per audit commit, all children of the ASP.NET Core server span of the request.
/// Their attributes are bounded metadata only: ids from the configuration, codes, numbers. Never a prompt, an answer,
/// a PHI token, a header, a key, a user or a patient. With nobody listening, <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null and nothing is allocated; attributes are set only on a span that is recorded.
/// </summary>
internal static class GatewayTracing
{
    public const string SourceName = "XefAI.Gateway";

    public static readonly ActivitySource Source = new(SourceName, typeof(GatewayTracing).Assembly.GetName().Version?.ToString(3));

    // Attribute names, named once. The gen_ai.* ones are OpenTelemetry's GenAI semantic conventions.
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ErrorType = "error.type";
    public const string HttpStatusCode = "http.response.status_code";
    public const string UseCase = "xefai.use_case.id";
    public const string RiskTier = "xefai.risk_tier";
    public const string Deployment = "xefai.deployment.id";
    public const string Outcome = "xefai.outcome";
    public const string Attempt = "xefai.attempt";
    public const string AuditRecord = "xefai.audit.record_id";
    public const string Streamed = "xefai.streamed";

    /// <summary>The span name of a step: <c>xefai.read_request</c> for <c>ReadRequestStep</c>. Computed once per step.</summary>
    public static string StepSpanName(Type step)
    {
        var name = step.Name.EndsWith("Step", StringComparison.Ordinal) ? step.Name[..^"Step".Length] : step.Name;
        var snake = new System.Text.StringBuilder("xefai.", name.Length + 12);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                snake.Append('_');
            }

            snake.Append(char.ToLowerInvariant(name[i]));
        }

        return snake.ToString();
    }

    /// <summary>Ends a step's span: the error code of a step that refused or failed the call.</summary>
    public static void StepEnded(Activity? activity, CallError? errorBefore, CallError? errorAfter)
    {
        if (activity is not { IsAllDataRequested: true } || errorAfter is null || ReferenceEquals(errorBefore, errorAfter))
        {
            return;
        }

        activity.SetTag(ErrorType, errorAfter.Code);
        activity.SetTag(HttpStatusCode, errorAfter.StatusCode);
        activity.SetStatus(ActivityStatusCode.Error);
    }

    /// <summary>Describes the call on its parent (the server span), once the call is answered.</summary>
    public static void CallEnded(Activity? parent, CallContext call)
    {
        if (parent is not { IsAllDataRequested: true })
        {
            return;
        }

        if (call.UseCase is { } useCase)
        {
            parent.SetTag(UseCase, useCase.Id);
            parent.SetTag(RiskTier, (int)useCase.Tier);
        }

        if (call.Deployment is { } deployment)
        {
            parent.SetTag(Deployment, deployment.Id);
        }

        parent.SetTag(Outcome, call.Outcome);
        if (call.Error is { } error)
        {
            parent.SetTag(ErrorType, error.Code);
        }

        if (call.Record is { } record)
        {
            parent.SetTag(AuditRecord, record.Id);
        }
    }

    /// <summary>
    /// Starts the span of one provider attempt, named as the GenAI conventions name it: <c>chat gpt-4o-mini</c>.
    /// HTTP spans of the forward are its children.
    /// </summary>
    public static Activity? StartAttempt(ModelCall request, ModelDeployment deployment, int attempt)
    {
        var activity = Source.StartActivity("chat", ActivityKind.Client);
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        var operation = request is EmbeddingsCall ? "embeddings" : "chat";
        activity.DisplayName = operation + " " + deployment.VendorModel;
        activity.SetTag(OperationName, operation);
        activity.SetTag(ProviderName, deployment.Kind);
        activity.SetTag(RequestModel, deployment.VendorModel);
        activity.SetTag(Deployment, deployment.Id);
        activity.SetTag(Attempt, attempt);
        return activity;
    }

    /// <summary>Ends an attempt's span with its outcome: answered, or the error code, and the vendor's status.</summary>
    public static void AttemptEnded(Activity? activity, AttemptOutcome outcome)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        if ((outcome.VendorStatus ?? outcome.Stream?.VendorStatus) is { } status)
        {
            activity.SetTag(HttpStatusCode, status);
        }

        if (outcome.Error is { } error)
        {
            activity.SetTag(Outcome, CallOutcomes.Failed);
            activity.SetTag(ErrorType, error.Code);
            activity.SetStatus(ActivityStatusCode.Error);
        }
        else
        {
            activity.SetTag(Outcome, outcome.Stream is null ? CallOutcomes.Answered : CallOutcomes.Streaming);
        }
    }

    /// <summary>Starts the span of an audit commit.</summary>
    public static Activity? StartAuditCommit() => Source.StartActivity("xefai.audit.commit");

    /// <summary>Ends an audit commit's span: the record's id, or the failure.</summary>
    public static void AuditCommitEnded(Activity? activity, AuditRecord? record, string decision, bool streamed)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag(Outcome, decision);
        activity.SetTag(Streamed, streamed);
        if (record is null)
        {
            activity.SetTag(ErrorType, AuditRecorder.Unavailable.Code);
            activity.SetStatus(ActivityStatusCode.Error);
        }
        else
        {
            activity.SetTag(AuditRecord, record.Id);
        }
    }
}

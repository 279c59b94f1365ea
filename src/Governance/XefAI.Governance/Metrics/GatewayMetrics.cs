using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace XefAI.Governance;

/// <summary>The gateway's instruments, all on one meter; names follow OpenTelemetry (GenAI semantic conventions where they exist).</summary>
internal sealed class GatewayMetrics : IGatewayMetrics
{
    // GenAI semantic-convention buckets; the SDK default buckets are meant for milliseconds.
    private static readonly double[] CallDurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    // Streamed chunks: the semantic conventions' advice for time to first chunk and time per output chunk.
    private static readonly double[] ChunkBuckets = [0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

    /// <summary>The reason codes of the built-in policies, exported at zero from start-up; a plugin's codes appear with their first denial.</summary>
    internal static readonly string[] BuiltInDenialReasons =
    [
        "app_not_allowed", "deidentification_unavailable", "deployment_suspended", "max_tokens_exceeded", "model_lifecycle_not_allowed",
        "model_past_sunset", "model_retired", "rate_limited", "tier4_activation_required", "use_case_not_active", "use_case_retired",
        "use_case_suspended", "vendor_without_baa",
    ];

    /// <summary>The outcomes of <c>xefai_requests_total</c>.</summary>
    internal static readonly string[] Outcomes = ["answered", "held", "denied", "failed"];

    // Gateway overhead and audit commits are expected in the millisecond range.
    private static readonly double[] ShortDurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _overhead;
    private readonly Histogram<long> _tokenUsage;
    private readonly Counter<long> _policyDenials;
    private readonly Counter<long> _auditWrites;
    private readonly Histogram<double> _auditWriteDuration;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _deprecatedModelCalls;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _phiRedactions;
    private readonly Counter<long> _feedback;
    private readonly Counter<long> _shed;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _timeToFirstChunk;
    private readonly Histogram<double> _timePerOutputChunk;

    // Records handed to the audit store and not yet committed or refused; observed at each collection. A store with a
    // writer of its own reports what the writer holds instead (_auditBacklogSource).
    private long _auditBacklog;
    private Func<long>? _auditBacklogSource;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(GovernanceTelemetry.MeterName);

        _requests = meter.CreateCounter<long>(
            "xefai.requests", "{request}", "Calls answered, denied or failed, by use case, tier, provider and status.");
        _operationDuration = meter.CreateHistogram(
            "gen_ai.client.operation.duration", "s", "Time spent waiting for the model provider.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CallDurationBuckets });
        _requestDuration = meter.CreateHistogram(
            "xefai.request.duration", "s", "Whole call as the client saw it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CallDurationBuckets });
        _overhead = meter.CreateHistogram(
            "xefai.gateway.overhead", "s", "Whole call minus the provider's time: what the gateway adds.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ShortDurationBuckets });
        _tokenUsage = meter.CreateHistogram(
            "gen_ai.client.token.usage", "{token}", "Tokens per call, input and output.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _policyDenials = meter.CreateCounter<long>(
            "xefai.policy.denials", "{denial}", "Calls refused by a policy, by reason code.");
        _auditWrites = meter.CreateCounter<long>(
            "xefai.audit.writes", "{record}", "Audit records committed or failed.");
        _auditWriteDuration = meter.CreateHistogram(
            "xefai.audit.write.duration", "s", "Time from handing a record to the audit trail until it is committed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ShortDurationBuckets });
        _fallbacks = meter.CreateCounter<long>(
            "xefai.fallbacks", "{fallback}", "Calls moved on from one deployment to the next, by the deployment left and why.");
        _deprecatedModelCalls = meter.CreateCounter<long>(
            "xefai.deprecated_model.calls", "{call}", "Calls answered by a deprecated deployment, to see who still needs moving before its sunset.");
        _cost = meter.CreateCounter<double>(
            "xefai.cost", "USD", "Cost of calls, from the deployments' configured prices.");
        _authFailures = meter.CreateCounter<long>(
            "xefai.auth.failures", "{request}", "Requests refused for want of a valid key, by route family, kind and outcome (refused or throttled).");
        _phiRedactions = meter.CreateCounter<long>(
            "xefai.phi.redactions", "{value}", "Values the de-identifier replaced before a call left for a vendor, by kind (name, date…).");
        _feedback = meter.CreateCounter<long>(
            "xefai.feedback", "{verdict}", "Clinicians' verdicts on answers (CDS Hooks card feedback and review decisions), by use case and outcome: accepted, edited or overridden.");
        _shed = meter.CreateCounter<long>(
            "xefai.shed", "{call}", "Governed calls refused with 503 overloaded, by route family and the bound found full (places, reading, body_bytes); they leave no audit record.");

        _retries = meter.CreateCounter<long>(
            "xefai.retries", "{retry}", "Failed attempts tried again at the same deployment, by deployment, the destination that failed and why.");
        _timeToFirstChunk = meter.CreateHistogram(
            "gen_ai.client.operation.time_to_first_chunk", "s", "Streamed calls: time from asking the model to its first chunk.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ChunkBuckets });
        _timePerOutputChunk = meter.CreateHistogram(
            "gen_ai.client.operation.time_per_output_chunk", "s", "Streamed calls: time between one chunk and the next, for each chunk after the first.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ChunkBuckets });

        // Observed rather than added to, so the series is exported (at zero) from the first collection, whenever the
        // exporter starts listening.
        meter.CreateObservableUpDownCounter(
            "xefai.audit.backlog",
            () => Volatile.Read(ref _auditBacklogSource) is { } source ? source() : Interlocked.Read(ref _auditBacklog),
            "{record}",
            "Audit records the store's writer holds: queued, or in the batch being committed; at most Audit:MaxQueuedRecords.");
    }

    public void RecordCall(CallMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);

        var tier = TierLabel(measurement.Tier);
        var requestTags = new TagList
        {
            { "use_case", measurement.UseCase },
            { "tier", tier },
            { "provider", measurement.Provider },
            { "deployment", measurement.Deployment },
            { "outcome", measurement.Outcome },
            { "status_code", measurement.StatusCode },
        };
        _requests.Add(1, requestTags);

        var durationTags = new TagList
        {
            { "use_case", measurement.UseCase },
            { "tier", tier },
            { "outcome", measurement.Outcome },
        };
        _requestDuration.Record(measurement.Duration.TotalSeconds, durationTags);

        var providerName = ProviderName(measurement.Provider, measurement.ServerAddress);
        if (measurement.VendorDuration is { } vendor)
        {
            var vendorTags = GenAiTags(measurement, providerName);
            if (measurement.ErrorType is { } errorType)
            {
                vendorTags.Add("error.type", errorType);
            }

            _operationDuration.Record(vendor.TotalSeconds, vendorTags);

            var overheadTags = new TagList
            {
                { "use_case", measurement.UseCase },
                { "tier", tier },
            };
            _overhead.Record(Math.Max(0, (measurement.Duration - vendor).TotalSeconds), overheadTags);
        }

        RecordTokens(measurement, providerName, "input", measurement.InputTokens);
        RecordTokens(measurement, providerName, "output", measurement.OutputTokens);

        // A counter must never go down, and NaN would poison the series for good.
        if (measurement.CostUsd is { } cost && double.IsFinite(cost) && cost >= 0)
        {
            var costTags = new TagList
            {
                { "app", measurement.App },
                { "use_case", measurement.UseCase },
                { "gen_ai.provider.name", providerName },
                { "gen_ai.request.model", measurement.Model },
            };
            _cost.Add(cost, costTags);
        }
    }

    public void RecordPolicyDenial(string reasonCode) =>
        _policyDenials.Add(1, new KeyValuePair<string, object?>("reason", reasonCode));

    public void RecordAuditWrite(bool committed, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("outcome", committed ? "committed" : "failed");
        _auditWrites.Add(1, tag);
        _auditWriteDuration.Record(duration.TotalSeconds, tag);
    }

    public void RecordFallback(string useCase, string fromDeployment, string reason)
    {
        var tags = new TagList
        {
            { "use_case", useCase },
            { "from_deployment", fromDeployment },
            { "reason", reason },
        };
        _fallbacks.Add(1, tags);
    }

    public void RecordDeprecatedModelCall(string deployment) =>
        _deprecatedModelCalls.Add(1, new KeyValuePair<string, object?>("deployment", deployment));

    public void RecordAuthFailures(string route, string kind, string outcome, int count)
    {
        // A counter must never go down; 0 is allowed, to export the series before the first refusal.
        if (count < 0)
        {
            return;
        }

        var tags = new TagList
        {
            { "route", route },
            { "kind", kind },
            { "outcome", outcome },
        };
        _authFailures.Add(count, tags);
    }

    public void RecordPhiRedactions(string kind, int count)
    {
        // A counter must never go down; 0 is allowed, to export the series before the first value.
        if (count < 0)
        {
            return;
        }

        _phiRedactions.Add(count, new KeyValuePair<string, object?>("kind", kind));
    }

    public void RecordFeedback(string useCase, string outcome) =>
        _feedback.Add(1, new KeyValuePair<string, object?>("use_case", useCase), new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordShed(string route) => RecordShed(route, "places");

    public void RecordShed(string route, string bound) =>
        _shed.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("bound", bound));

    public void RecordAuditBacklog(int change) => Interlocked.Add(ref _auditBacklog, change);

    public void ObserveAuditBacklog(Func<long> backlog) => Volatile.Write(ref _auditBacklogSource, backlog);

    public void ExportSeries()
    {
        // Every built-in reason at 0, so an alert on denials works before the first one.
        foreach (var reason in BuiltInDenialReasons)
        {
            _policyDenials.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }

        // An alert on failed audit commits must work before the first one.
        _auditWrites.Add(0, new KeyValuePair<string, object?>("outcome", "committed"));
        _auditWrites.Add(0, new KeyValuePair<string, object?>("outcome", "failed"));
    }

    public void ExportUseCase(string useCase, int tier)
    {
        // No provider was reached and no status sent yet: the zero series say so rather than guess one.
        foreach (var outcome in Outcomes)
        {
            var tags = new TagList
            {
                { "use_case", useCase },
                { "tier", TierLabel(tier) },
                { "provider", "none" },
                { "deployment", "none" },
                { "outcome", outcome },
                { "status_code", 0 },
            };
            _requests.Add(0, tags);
        }
    }

    public void ExportDeployment(string useCase, string deployment)
    {
        _retries.Add(0, new TagList { { "deployment", deployment }, { "destination", "none" }, { "reason", "none" } });
        _fallbacks.Add(0, new TagList { { "use_case", useCase }, { "from_deployment", deployment }, { "reason", "none" } });
    }

    public void ExportSpend(string app, string useCase) => _cost.Add(
        0, new TagList { { "app", app }, { "use_case", useCase }, { "gen_ai.provider.name", "none" }, { "gen_ai.request.model", "none" } });

    public void RecordRetry(string deployment, string destination, string reason)
    {
        var tags = new TagList
        {
            { "deployment", deployment },
            { "destination", destination },
            { "reason", reason },
        };
        _retries.Add(1, tags);
    }

    public void RecordTimeToFirstChunk(in StreamedCall call, TimeSpan elapsed) =>
        _timeToFirstChunk.Record(elapsed.TotalSeconds, ChunkTags(call));

    public void RecordTimePerOutputChunk(in StreamedCall call, TimeSpan elapsed) =>
        _timePerOutputChunk.Record(elapsed.TotalSeconds, ChunkTags(call));

    /// <summary>
    /// OpenTelemetry's <c>gen_ai.provider.name</c> for a provider kind: the semantic conventions' well-known value where
    /// there is one (an OpenAI-kind deployment on an Azure OpenAI host is <c>azure.ai.openai</c>), else the configured
    /// kind itself, a bounded label. Constant strings: no allocation per call.
    /// </summary>
    internal static string ProviderName(string kind, string? serverAddress) => kind switch
    {
        "openai" when serverAddress is not null && serverAddress.EndsWith(".openai.azure.com", StringComparison.OrdinalIgnoreCase) => "azure.ai.openai",
        "openai" => "openai",
        "anthropic" => "anthropic",
        "azure-openai" or "azure_openai" or "azureopenai" => "azure.ai.openai",
        "azure-ai-inference" or "azure_ai_inference" => "azure.ai.inference",
        "bedrock" or "aws-bedrock" or "aws_bedrock" => "aws.bedrock",
        "vertex" or "vertex-ai" or "vertex_ai" => "gcp.vertex_ai",
        "gemini" => "gcp.gemini",
        "mistral" or "mistral-ai" or "mistral_ai" => "mistral_ai",
        _ => kind,
    };

    // Constant strings, so a label costs no allocation per call.
    private static string TierLabel(int tier) => tier switch
    {
        1 => "1",
        2 => "2",
        3 => "3",
        4 => "4",
        _ => "0",
    };

    /// <summary>The GenAI semantic-convention attributes of a call, plus its use case; at most seven, so the list stays inline.</summary>
    private static TagList GenAiTags(CallMeasurement measurement, string providerName)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", measurement.Operation },
            { "gen_ai.provider.name", providerName },
            { "gen_ai.request.model", measurement.Model },
            { "xefai.use_case", measurement.UseCase },
        };
        if (measurement.ResponseModel is { } responseModel)
        {
            tags.Add("gen_ai.response.model", responseModel);
        }

        if (measurement.ServerAddress is { } serverAddress)
        {
            tags.Add("server.address", serverAddress);
        }

        return tags;
    }

    private static TagList ChunkTags(in StreamedCall call)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", GenAiOperations.Chat },
            { "gen_ai.provider.name", ProviderName(call.ProviderKind, call.ServerAddress) },
            { "gen_ai.request.model", call.RequestModel },
            { "xefai.use_case", call.UseCase },
        };
        if (call.ServerAddress is { } serverAddress)
        {
            tags.Add("server.address", serverAddress);
        }

        return tags;
    }

    private void RecordTokens(CallMeasurement measurement, string providerName, string type, int? tokens)
    {
        if (tokens is not { } count)
        {
            return;
        }

        var tags = GenAiTags(measurement, providerName);
        tags.Add("gen_ai.token.type", type);
        if (measurement.ErrorType is { } errorType)
        {
            tags.Add("error.type", errorType);
        }

        _tokenUsage.Record(count, tags);
    }
}

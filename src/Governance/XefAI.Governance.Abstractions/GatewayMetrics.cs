namespace XefAI.Governance;

/// <summary>One finished call, as the metrics see it. Every field is a bounded label or a number.</summary>
/// <param name="UseCase">Configured use-case id, or <c>other</c>.</param>
/// <param name="Tier">Risk tier 1-4, or 0 when the use case is unknown.</param>
/// <param name="Provider">Provider kind of the deployment that answered or, for a failed call, was tried last; <c>none</c> when no model was called.</param>
/// <param name="Model">Vendor model of the deployment, or <c>none</c>.</param>
/// <param name="Outcome">answered, denied, failed.</param>
/// <param name="StatusCode">HTTP status sent to the client.</param>
/// <param name="Duration">Whole call, as the client saw it.</param>
/// <param name="VendorDuration">Time spent waiting for the provider, when one was called.</param>
/// <param name="Deployment">Configured deployment id that answered or was tried last, or <c>none</c>.</param>
/// <param name="ErrorType">Error code of a call that failed at a provider (OpenTelemetry's <c>error.type</c>), else null.</param>
/// <param name="Operation">OpenTelemetry's <c>gen_ai.operation.name</c>: <c>chat</c> or <c>embeddings</c>.</param>
/// <param name="ResponseModel">
/// The model the vendor said answered, when it is the deployment's registered vendor model; <c>other</c> when it named
/// another; null when no answer came.
/// </param>
/// <param name="ServerAddress">Host of the vendor destination of the last attempt; null for an in-process model.</param>
/// <param name="App">Configured id of the calling app, or <c>none</c> before the key was accepted.</param>
public sealed record CallMeasurement(
    string UseCase,
    int Tier,
    string Provider,
    string Model,
    string Outcome,
    int StatusCode,
    TimeSpan Duration,
    TimeSpan? VendorDuration,
    int? InputTokens,
    int? OutputTokens,
    double? CostUsd = null,
    string Deployment = "none",
    string? ErrorType = null,
    string Operation = GenAiOperations.Chat,
    string? ResponseModel = null,
    string? ServerAddress = null,
    string App = "none");

/// <summary>OpenTelemetry's <c>gen_ai.operation.name</c> values the gateway reports.</summary>
public static class GenAiOperations
{
    public const string Chat = "chat";
    public const string Embeddings = "embeddings";
}

/// <summary>
/// The bounded attributes of one streamed model call, for the per-chunk measurements; one per call, passed by reference.
/// </summary>
/// <param name="UseCase">Configured use-case id.</param>
/// <param name="ProviderKind">Provider kind of the deployment (mapped to <c>gen_ai.provider.name</c>).</param>
/// <param name="RequestModel">Vendor model of the deployment.</param>
/// <param name="ServerAddress">Host of the vendor destination; null for an in-process model.</param>
public readonly record struct StreamedCall(string UseCase, string ProviderKind, string RequestModel, string? ServerAddress);

/// <summary>A destination's circuit as <c>xefai_circuit_state</c> reports it.</summary>
public static class CircuitStates
{
    public const int Closed = 0;
    public const int HalfOpen = 1;
    public const int Open = 2;
}

/// <summary>Records gateway metrics (exported to Prometheus through OpenTelemetry).</summary>
public interface IGatewayMetrics
{
    void RecordCall(CallMeasurement measurement);

    void RecordPolicyDenial(string reasonCode);

    void RecordAuditWrite(bool committed, TimeSpan duration);

    /// <summary>A call moved on from one deployment to the next of its use case.</summary>
    void RecordFallback(string useCase, string fromDeployment, string reason);

    /// <summary>A deprecated deployment answered a call.</summary>
    void RecordDeprecatedModelCall(string deployment);

    /// <summary>
    /// Requests refused for want of a valid key, by route family (e.g. <c>chat</c>, <c>admin</c>), kind
    /// (<c>missing_key</c>, <c>invalid_key</c>, <c>invalid_admin_key</c>) and outcome (<c>refused</c> with 401,
    /// <c>throttled</c> with 429). A count of 0 makes the series visible before the first refusal.
    /// </summary>
    void RecordAuthFailures(string route, string kind, string outcome, int count);

    /// <summary>
    /// Values the de-identifier replaced in one call, of one kind (the lower-case kind of their token: <c>name</c>,
    /// <c>date</c>…, a bounded label); counts only. A count of 0 makes the series visible before the first value.
    /// </summary>
    void RecordPhiRedactions(string kind, int count);

    /// <summary>
    /// A clinician's verdict on an answer, by use case and outcome (<c>accepted</c>, <c>overridden</c>): the adoption
    /// numbers a governance committee reviews.
    /// </summary>
    void RecordFeedback(string useCase, string outcome);

    /// <summary>
    /// A governed call refused at once because the gateway is at its concurrency limit (503 <c>overloaded</c>), by
    /// route family (the adapter's bounded route). Counted only: a shed call leaves no audit record of its own.
    /// </summary>
    void RecordShed(string route)
    {
    }

    /// <summary>
    /// A governed call refused at once with 503 <c>overloaded</c>, by route family and by the bound it found full
    /// (<c>places</c>, <c>reading</c>, <c>body_bytes</c>). Counted only, as <see cref="RecordShed(string)"/>.
    /// </summary>
    void RecordShed(string route, string bound) => RecordShed(route);

    /// <summary>
    /// The audit backlog grew (+1, a record handed to the store) or shrank (-1, committed or refused): records
    /// waiting for their commit, exported as a gauge.
    /// </summary>
    void RecordAuditBacklog(int change)
    {
    }

    /// <summary>
    /// The audit backlog is read from the store's writer at each collection instead: exactly the records it holds
    /// (queued, or in the batch being committed), not those whose callers have yet to resume.
    /// </summary>
    void ObserveAuditBacklog(Func<long> backlog)
    {
    }

    /// <summary>
    /// Exports at zero the series known without configuration (the built-in policies' denial reasons, audit commits and
    /// failures). Called once the
    /// exporter listens: a measurement made before is lost.
    /// </summary>
    void ExportSeries()
    {
    }

    /// <summary>
    /// Exports the call series of a configured use case at zero, one per outcome, so a rate or an alert on
    /// <c>xefai_requests_total</c> works before its first call.
    /// </summary>
    void ExportUseCase(string useCase, int tier)
    {
    }

    /// <summary>A failed attempt at a deployment is retried, by the destination it failed at and its error code.</summary>
    void RecordRetry(string deployment, string destination, string reason)
    {
    }

    /// <summary>
    /// Exports at zero what a configured deployment may count before its first event: its retries and the fallbacks away
    /// from it (<c>destination</c> and <c>reason</c> <c>none</c>), so a rate on them works from start-up.
    /// </summary>
    void ExportDeployment(string useCase, string deployment)
    {
    }

    /// <summary>Exports at zero the spend of an app on a use case it may call (provider and model <c>none</c>).</summary>
    void ExportSpend(string app, string useCase)
    {
    }

    /// <summary>
    /// A streamed call's first chunk arrived, <paramref name="elapsed"/> after the model was first asked
    /// (<c>gen_ai.client.operation.time_to_first_chunk</c>).
    /// </summary>
    void RecordTimeToFirstChunk(in StreamedCall call, TimeSpan elapsed)
    {
    }

    /// <summary>
    /// A later chunk of a streamed call arrived, <paramref name="elapsed"/> after the one before it
    /// (<c>gen_ai.client.operation.time_per_output_chunk</c>).
    /// </summary>
    void RecordTimePerOutputChunk(in StreamedCall call, TimeSpan elapsed)
    {
    }
}

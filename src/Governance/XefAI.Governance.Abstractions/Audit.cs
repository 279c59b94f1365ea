namespace XefAI.Governance;

/// <summary>What the gateway knows of a call when it is audited; the store adds id, sequence and hashes.</summary>
public sealed record AuditEntry
{
    public required DateTimeOffset Timestamp { get; init; }

    public required string TraceId { get; init; }

    public string? AppId { get; init; }

    public string? PatientPseudonym { get; init; }

    public string? UseCaseId { get; init; }

    public int? RiskTier { get; init; }

    /// <summary><c>answered</c>, <c>denied</c> or <c>failed</c>.</summary>
    public required string Decision { get; init; }

    /// <summary>Bounded reason codes, comma separated; empty for answered calls.</summary>
    public string? Reasons { get; init; }

    public required int StatusCode { get; init; }

    public string? Provider { get; init; }

    public string? Deployment { get; init; }

    public string? Model { get; init; }

    /// <summary>SHA-256 (hex) of the request body as received.</summary>
    public string? InputSha256 { get; init; }

    /// <summary>SHA-256 (hex) of the response body as sent.</summary>
    public string? OutputSha256 { get; init; }

    public int? InputTokens { get; init; }

    public int? OutputTokens { get; init; }

    public required double LatencyMs { get; init; }

    /// <summary>True when the answer was streamed to the client as server-sent events.</summary>
    public bool Streamed { get; init; }

    /// <summary>Cost of the call in US dollars, from the deployment's configured prices; null when unpriced.</summary>
    public double? CostUsd { get; init; }

    /// <summary>Every provider attempt, in order, including failed ones and fallbacks.</summary>
    public IReadOnlyList<AuditAttempt> Attempts { get; init; } = [];

    /// <summary>The end user on whose behalf the app called, when the app names one.</summary>
    public string? UserId { get; init; }

    /// <summary>
    /// The input as sent to the model, de-identified when the tier requires it; present only when the tier
    /// obliges verbatim audit, otherwise null and <see cref="InputSha256"/> alone stands for the input.
    /// </summary>
    /// <remarks>
    /// Must be well-formed UTF-16 (no lone surrogates). The PostgreSQL store cannot hold U+0000 and refuses
    /// an entry whose text contains it, as it does for every other text field.
    /// </remarks>
    public string? InputText { get; init; }

    /// <summary>
    /// The output as released to the caller; present only when the tier obliges verbatim audit, otherwise
    /// null and <see cref="OutputSha256"/> alone stands for the output.
    /// </summary>
    /// <remarks>As for <see cref="InputText"/>: well-formed UTF-16, and no U+0000 for the PostgreSQL store.</remarks>
    public string? OutputText { get; init; }
}

/// <summary>One try at a provider within a call.</summary>
/// <param name="Deployment">Deployment id.</param>
/// <param name="Destination">Cluster/destination for HTTP providers, e.g. <c>openai/primary</c>; null in process.</param>
/// <param name="Outcome"><c>answered</c>, or a bounded failure code such as <c>vendor_timeout</c>, <c>vendor_error</c>, <c>circuit_open</c>.</param>
/// <param name="StatusCode">Vendor HTTP status, when one was received.</param>
/// <param name="LatencyMs">Time the attempt took.</param>
public sealed record AuditAttempt(string Deployment, string? Destination, string Outcome, int? StatusCode, double LatencyMs);

/// <summary>A committed audit record: the entry plus its place and hash in the chain.</summary>
public sealed record AuditRecord(string Id, long Sequence, AuditEntry Entry, string PreviousHash, string Hash);

/// <summary>Filters for querying the audit trail; null means any. Results come newest first (by sequence).</summary>
/// <param name="BeforeSequence">
/// Keyset paging: only records with a lower sequence than this, i.e. the page after one that ended there.
/// Sequences never repeat and records committed later always get higher ones, so paging on them neither
/// skips nor repeats a record, however many share a timestamp. A store must honour it.
/// </param>
/// <param name="Streamed">Only streamed (<c>true</c>) or only unstreamed (<c>false</c>) calls' records.</param>
public sealed record AuditQuery(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? UseCaseId = null,
    string? AppId = null,
    string? PatientPseudonym = null,
    int Limit = 100,
    long? BeforeSequence = null,
    bool? Streamed = null);

/// <summary>The result of walking the hash chain.</summary>
public sealed record AuditChainVerification(bool Valid, long Records, string? FirstBrokenRecord = null, string? Problem = null);

/// <summary>
/// An append-only audit store. <see cref="AppendAsync"/> completes only once the record is durably
/// committed; it throws when it cannot, and the gateway then withholds the answer.
/// </summary>
public interface IAuditStore
{
    /// <summary>Name configuration selects the store by (<c>Audit:Store</c>).</summary>
    string Kind { get; }

    ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken);

    ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken);

    /// <summary>Whether the store can take writes now (readiness).</summary>
    ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The audit trail the gateway writes to: the store that configuration selects. Deliberately not an
/// <see cref="IAuditStore"/> itself, so plugin scanning never mistakes the trail for one more store.
/// </summary>
public interface IAuditTrail
{
    /// <summary>Kind of the store in use.</summary>
    string StoreKind { get; }

    /// <inheritdoc cref="IAuditStore.AppendAsync"/>
    ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken);

    ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken);

    ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken);
}

/// <summary>The audit record could not be committed; the call must not be answered.</summary>
public sealed class AuditUnavailableException : Exception
{
    public AuditUnavailableException()
    {
    }

    public AuditUnavailableException(string message)
        : base(message)
    {
    }

    public AuditUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

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

    /// <summary>
    /// Bounded reason codes, <c>;</c>-separated. A call's record ends with <c>config:&lt;sha256&gt;</c>, the configuration
    /// it was served under (the <c>inputSha256</c> of that configuration's <c>config_applied</c> record).
    /// </summary>
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
    /// The input verbatim, present only when the tier obliges verbatim audit, otherwise null and
    /// <see cref="InputSha256"/> alone stands for the input. By default the input as sent to the model (de-identified
    /// where it was), and null for a call that never got that far; with <see cref="PolicyObligations.AuditOriginalText"/>
    /// the request as received.
    /// </summary>
    /// <remarks>
    /// Must be well-formed UTF-16 (no lone surrogates). The PostgreSQL store cannot hold U+0000 and refuses
    /// an entry whose text contains it, as it does for every other text field.
    /// </remarks>
    public string? InputText { get; init; }

    /// <summary>
    /// The output verbatim, present only when the tier obliges verbatim audit, otherwise null and
    /// <see cref="OutputSha256"/> alone stands for the output. By default the answer as the model gave it (its tokens
    /// not restored); with <see cref="PolicyObligations.AuditOriginalText"/> the answer as released to the caller.
    /// </summary>
    /// <remarks>As for <see cref="InputText"/>: well-formed UTF-16, and no U+0000 for the PostgreSQL store.</remarks>
    public string? OutputText { get; init; }

    /// <summary>
    /// What the protect step did (<see cref="DeIdentificationOutcomes"/>): <c>applied</c>, <c>opted-out</c> or
    /// <c>not-required</c>; null when the call never got that far.
    /// </summary>
    public string? DeIdentification { get; init; }

    /// <summary>
    /// How many values of each kind the de-identifier replaced, in a canonical form: <c>kind=count</c> pairs sorted
    /// by kind and joined with commas, e.g. <c>date=2,name=3</c> (<see cref="AuditRedactions"/>). Counts only, never
    /// values; empty when de-identification replaced nothing, null when it did not run.
    /// </summary>
    public string? Redactions { get; init; }

    /// <summary>
    /// The id of the record this one is about, when it is about another: a CDS Hooks feedback record names the record
    /// of the call whose card it judges. Null for a record that stands on its own.
    /// </summary>
    public string? RelatesTo { get; init; }

    /// <summary>
    /// A clinician's verdict on an answer, in a bounded form (<see cref="AuditFeedback"/>): <c>accepted</c>, or
    /// <c>overridden</c> or <c>overridden:&lt;reason code&gt;</c>. Null for a record that is not feedback.
    /// </summary>
    public string? Feedback { get; init; }
}

/// <summary>
/// The canonical form of <see cref="AuditEntry.Feedback"/>: <c>accepted</c>, <c>overridden</c>, or
/// <c>overridden:&lt;code&gt;</c> with the override reason's code in a bounded alphabet, so the field can never carry
/// free text a clinician typed.
/// </summary>
public static class AuditFeedback
{
    public const string Accepted = "accepted";

    public const string Overridden = "overridden";

    /// <summary>The longest override reason code kept; a longer or unprintable code is recorded as <c>other</c>.</summary>
    public const int MaxReasonCodeLength = 64;

    /// <summary>The canonical text of an outcome and, for an override, its reason code (null when none was given).</summary>
    public static string Format(bool accepted, string? reasonCode)
    {
        if (accepted)
        {
            return Accepted;
        }

        if (string.IsNullOrEmpty(reasonCode))
        {
            return Overridden;
        }

        return Overridden + ":" + (IsReasonCode(reasonCode) ? reasonCode : "other");
    }

    /// <summary>Whether <paramref name="text"/> is in canonical form: what an audit store accepts.</summary>
    public static bool IsCanonical(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text is Accepted or Overridden)
        {
            return true;
        }

        return text.StartsWith(Overridden + ":", StringComparison.Ordinal) && IsReasonCode(text.AsSpan(Overridden.Length + 1));
    }

    /// <summary>The override reason code of a canonical feedback text, or null when it has none.</summary>
    public static string? ReasonCodeOf(string feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        return feedback.StartsWith(Overridden + ":", StringComparison.Ordinal) ? feedback[(Overridden.Length + 1)..] : null;
    }

    private static bool IsReasonCode(ReadOnlySpan<char> code)
    {
        if (code.Length is 0 or > MaxReasonCodeLength)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
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

/// <summary>Filters for querying the audit trail; null means any. Results come newest first (by sequence), unless <c>Ascending</c>.</summary>
/// <param name="BeforeSequence">
/// Keyset paging: only records with a lower sequence than this, i.e. the page after one that ended there.
/// Sequences never repeat and records committed later always get higher ones, so paging on them neither
/// skips nor repeats a record, however many share a timestamp. A store must honour it.
/// </param>
/// <param name="Streamed">Only streamed (<c>true</c>) or only unstreamed (<c>false</c>) calls' records.</param>
/// <param name="Decision">Only records of this decision (exact match), e.g. <c>config_applied</c>.</param>
/// <param name="Ascending">Oldest first (by sequence), for a reader that pages forward in time. A store must honour it.</param>
/// <param name="AfterSequence">Keyset paging oldest first: only records with a higher sequence than this. A store must honour it.</param>
public sealed record AuditQuery(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? UseCaseId = null,
    string? AppId = null,
    string? PatientPseudonym = null,
    int Limit = 100,
    long? BeforeSequence = null,
    bool? Streamed = null,
    string? Decision = null,
    bool Ascending = false,
    long? AfterSequence = null);

/// <summary>The result of walking the hash chain.</summary>
/// <param name="Records">Records proved intact: with a store of one chain per writer, every chain's records up to where the walk ended.</param>
public sealed record AuditChainVerification(bool Valid, long Records, string? FirstBrokenRecord = null, string? Problem = null)
{
    /// <summary>Writers' chains walked; null for a store with a single chain.</summary>
    public int? Chains { get; init; }

    /// <summary>
    /// The last checkpoint the walk proved, with every record before it; null when there is none. A store with a single
    /// chain has no checkpoints of its own: there it is the seq of the last record the walk proved.
    /// </summary>
    public long? Checkpoint { get; init; }

    /// <summary>The checkpoint an incremental walk resumed from, proved by an earlier walk; null for a walk from the start.</summary>
    public long? ResumedFrom { get; init; }

    /// <summary>Records this walk read and checked: fewer than <see cref="Records"/> when it resumed.</summary>
    public long? Checked { get; init; }
}

/// <summary>How much of the trail a verification walks.</summary>
public enum AuditVerificationMode
{
    /// <summary>From the last checkpoint an earlier walk proved (from the start when there is none).</summary>
    Incremental,

    /// <summary>Every record from the start.</summary>
    Full,
}

/// <summary>What a verification walks and how hard it may work.</summary>
public sealed record AuditVerificationRequest
{
    public AuditVerificationMode Mode { get; init; } = AuditVerificationMode.Incremental;

    /// <summary>
    /// The share of one core the walk may keep busy, in (0, 1]: after each page it rests long enough that its busy
    /// time, its own hashing and its waits on the database together, stays under this share. 1 runs unpaced.
    /// </summary>
    public double MaxBusyShare { get; init; } = 1;

    /// <summary>Told after each page how far the walk has come.</summary>
    public IProgress<AuditVerificationProgress>? Progress { get; init; }
}

/// <summary>How far a running verification has come.</summary>
/// <param name="Checked">Records read and checked so far.</param>
/// <param name="ToCheck">Records the walk expects to read in all, as the chains' ends stood when it started.</param>
/// <param name="Checkpoints">Checkpoints checked so far.</param>
public sealed record AuditVerificationProgress(long Checked, long ToCheck, long Checkpoints);

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

    /// <summary>
    /// How many records match the query's filters (its limit, cursors and order do not apply). A store that cannot count
    /// in one query is counted page by page, newest first.
    /// </summary>
    ValueTask<long> CountAsync(AuditQuery query, CancellationToken cancellationToken) =>
        AuditCounts.CountByPagesAsync(QueryAsync, query, cancellationToken);

    ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken);

    ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A verification as asked: a store that cannot resume or pace a walk walks the whole chain at once, as
    /// <see cref="VerifyAsync(CancellationToken)"/> does.
    /// </summary>
    ValueTask<AuditChainVerification> VerifyAsync(AuditVerificationRequest request, CancellationToken cancellationToken) =>
        VerifyAsync(cancellationToken);

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

    /// <inheritdoc cref="IAuditStore.CountAsync"/>
    ValueTask<long> CountAsync(AuditQuery query, CancellationToken cancellationToken) =>
        AuditCounts.CountByPagesAsync(QueryAsync, query, cancellationToken);

    ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken);

    ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken);

    /// <inheritdoc cref="IAuditStore.VerifyAsync(AuditVerificationRequest, CancellationToken)"/>
    ValueTask<AuditChainVerification> VerifyAsync(AuditVerificationRequest request, CancellationToken cancellationToken) =>
        VerifyAsync(cancellationToken);

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

/// <summary>
/// The canonical form of <see cref="AuditEntry.Redactions"/>: <c>kind=count</c> pairs sorted by kind (ordinal) and
/// joined with commas, e.g. <c>date=2,name=3</c>. A kind is lower-case letters and underscores, at most
/// <see cref="MaxKindLength"/> characters, as a de-identifier's token names it; counts are positive.
/// </summary>
public static class AuditRedactions
{
    /// <summary>The longest kind kept as it is; a token is at most 32 characters, its kind fewer.</summary>
    public const int MaxKindLength = 32;

    /// <summary>Most kinds one record names; a de-identifier with more has them counted under <see cref="OtherKind"/>.</summary>
    public const int MaxKinds = 64;

    /// <summary>Where counts of a kind that is not in the canonical alphabet (or beyond <see cref="MaxKinds"/>) go.</summary>
    public const string OtherKind = "other";

    /// <summary>
    /// The counts by kind in canonical order, zero counts left out; a kind outside the canonical alphabet, and any
    /// kind beyond the first <see cref="MaxKinds"/>, is counted as <see cref="OtherKind"/>, so what comes out is
    /// bounded and never carries text a de-identifier did not mean as a kind.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, int>> Normalize(IEnumerable<KeyValuePair<string, int>> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);

        // The usual case, a de-identifier's counts of distinct canonical kinds: one array, sorted in place.
        if (counts is ICollection<KeyValuePair<string, int>> { Count: > 0 and < MaxKinds } collection)
        {
            var copy = new KeyValuePair<string, int>[collection.Count];
            collection.CopyTo(copy, 0);
            Array.Sort(copy, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            if (IsNormalized(copy))
            {
                return copy;
            }

            counts = copy;
        }

        // Sorted, then equal kinds summed as they come together: no dictionary for the handful of kinds a call has.
        var byKind = counts.TryGetNonEnumeratedCount(out var given) ? new List<KeyValuePair<string, long>>(given) : [];
        foreach (var (kind, count) in counts)
        {
            if (count > 0)
            {
                byKind.Add(new(IsKind(kind) ? kind : OtherKind, count));
            }
        }

        byKind.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var result = new List<KeyValuePair<string, int>>(Math.Min(byKind.Count, MaxKinds));
        long other = 0;
        for (var i = 0; i < byKind.Count;)
        {
            var kind = byKind[i].Key;
            long count = 0;
            for (; i < byKind.Count && string.Equals(byKind[i].Key, kind, StringComparison.Ordinal); i++)
            {
                count += byKind[i].Value;
            }

            if (kind == OtherKind || result.Count >= MaxKinds - 1)
            {
                other += count;
            }
            else
            {
                result.Add(new(kind, (int)Math.Min(count, int.MaxValue)));
            }
        }

        if (other > 0)
        {
            result.Add(new(OtherKind, (int)Math.Min(other, int.MaxValue)));
            result.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        return result;
    }

    // Sorted already: distinct canonical kinds (other included: a de-identifier may name it), every count positive.
    private static bool IsNormalized(KeyValuePair<string, int>[] sorted)
    {
        for (var i = 0; i < sorted.Length; i++)
        {
            if (sorted[i].Value <= 0 || !IsKind(sorted[i].Key)
                || (i > 0 && string.Equals(sorted[i - 1].Key, sorted[i].Key, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The canonical text of counts already <see cref="Normalize">normalized</see>; empty for none.</summary>
    public static string Format(IReadOnlyList<KeyValuePair<string, int>> normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        if (normalized.Count == 0)
        {
            return string.Empty;
        }

        // One string, written on the stack: no string per pair, no enumerator.
        var text = new System.Runtime.CompilerServices.DefaultInterpolatedStringHandler(0, 0, System.Globalization.CultureInfo.InvariantCulture, stackalloc char[256]);
        for (var i = 0; i < normalized.Count; i++)
        {
            if (i > 0)
            {
                text.AppendLiteral(",");
            }

            text.AppendFormatted(normalized[i].Key);
            text.AppendLiteral("=");
            text.AppendFormatted(normalized[i].Value);
        }

        return text.ToStringAndClear();
    }

    /// <summary>Whether <paramref name="text"/> is in canonical form (empty included): what an audit store accepts.</summary>
    public static bool IsCanonical(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return true;
        }

        // Walked in place: what an audit store checks for every record costs no substring.
        var rest = text.AsSpan();
        var pairs = 0;
        var previous = ReadOnlySpan<char>.Empty;
        while (true)
        {
            var comma = rest.IndexOf(',');
            var pair = comma < 0 ? rest : rest[..comma];
            if (++pairs > MaxKinds)
            {
                return false;
            }

            var equals = pair.IndexOf('=');
            if (equals < 0)
            {
                return false;
            }

            var kind = pair[..equals];
            var count = pair[(equals + 1)..];
            if (!IsKind(kind) || (pairs > 1 && previous.SequenceCompareTo(kind) >= 0))
            {
                return false;
            }

            // Digits only, no leading zero, positive and within int: exactly what Format writes.
            if (count.Length is 0 or > 10 || count[0] == '0' || count.ContainsAnyExceptInRange('0', '9')
                || !int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                return false;
            }

            if (comma < 0)
            {
                return true;
            }

            previous = kind;
            rest = rest[(comma + 1)..];
        }
    }

    private static bool IsKind(string? kind) => kind is not null && IsKind(kind.AsSpan());

    private static bool IsKind(ReadOnlySpan<char> kind)
    {
        if (kind.Length is 0 or > MaxKindLength)
        {
            return false;
        }

        foreach (var c in kind)
        {
            if (c is not ((>= 'a' and <= 'z') or '_'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Where one verification run stands.</summary>
public enum AuditVerificationState
{
    Running,
    Completed,
    Failed,
}

/// <summary>
/// A verification running, or run, in the background, off the request path: its progress while it runs, and its
/// result or the reason it could not finish.
/// </summary>
public sealed record AuditVerificationRun(
    string Id,
    AuditVerificationMode Mode,
    string Trigger,
    DateTimeOffset StartedAt,
    AuditVerificationState State,
    AuditVerificationProgress Progress,
    DateTimeOffset? FinishedAt = null,
    AuditChainVerification? Result = null,
    string? Error = null);

/// <summary>Verifications in the background: one at a time per process, started on request or on a schedule.</summary>
public interface IAuditVerifications
{
    /// <summary>Starts a run, unless one is running: then that one is returned, and false.</summary>
    bool TryStart(AuditVerificationMode mode, string trigger, out AuditVerificationRun run);

    AuditVerificationRun? Get(string id);

    /// <summary>The latest runs, newest first.</summary>
    IReadOnlyList<AuditVerificationRun> Recent { get; }
}


/// <summary>Counting by reading pages, for a store or trail that has no count of its own.</summary>
internal static class AuditCounts
{
    public static async ValueTask<long> CountByPagesAsync(
        Func<AuditQuery, CancellationToken, ValueTask<IReadOnlyList<AuditRecord>>> query, AuditQuery filters, CancellationToken cancellationToken)
    {
        long count = 0;
        long? before = null;
        while (true)
        {
            var page = await query(filters with { Limit = 1000, BeforeSequence = before, AfterSequence = null, Ascending = false }, cancellationToken);
            if (page.Count == 0)
            {
                return count;
            }

            count += page.Count;
            before = page[^1].Sequence;
        }
    }
}

using System.Globalization;
using XefAI.Gateway.Admin;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Security;

/// <summary>Why a request's key was not accepted: a bounded metric label and the first audit reason.</summary>
internal static class AuthFailureKinds
{
    public const string MissingKey = "missing_key";
    public const string InvalidKey = "invalid_key";
    public const string InvalidAdminKey = "invalid_admin_key";

    /// <summary>A CDS client's JWT refused (CDS Hooks routes only).</summary>
    public const string InvalidToken = "invalid_token";
}

/// <summary>Route families: the bounded route label of refused requests, never their path.</summary>
internal static class AuthRoutes
{
    public const string Chat = "chat";
    public const string Embeddings = "embeddings";
    public const string Invoke = "invoke";
    public const string Models = "models";
    public const string UseCases = "use_cases";
    public const string Reviews = "reviews";
    public const string Incidents = "incidents";
    public const string Admin = "admin";
    public const string Fhir = "fhir";
    public const string CdsHooks = "cds_hooks";

    /// <summary>Families an app key opens.</summary>
    public static readonly IReadOnlyList<string> ClientFamilies = [Chat, Embeddings, Invoke, Models, UseCases, Reviews, Incidents, CdsHooks];

    /// <summary>Families an admin key opens.</summary>
    public static readonly IReadOnlyList<string> AdminFamilies = [Admin, Fhir];
}

/// <summary>The verdict on one refused request: 401, or 429 once its source address is over the limit.</summary>
internal readonly record struct AuthRefusal(bool Throttled, TimeSpan RetryAfter);

/// <summary>
/// Where every route reports a request refused for want of a valid key. One audit record per refused
/// request would let anyone without a key fill the audit store (and an 8 KB path each makes that fast),
/// so refusals are counted per source address, minute, route family and kind, and each such bucket becomes
/// one audit record when its minute has closed. Memory is bounded too: past a fixed number of buckets new
/// addresses share an <c>other</c> bucket. Each address may make only so many keyless requests a minute;
/// beyond that it gets 429, still counted, so a client with a valid key is never slowed by this.
/// </summary>
internal sealed partial class AuthenticationFailures
{
    public const string AuditDecision = "auth-refused";
    public const string OtherAddresses = "other";
    public const int DefaultMaxBuckets = 10_000;

    private const string Refused = "refused";
    private const string Throttled = "throttled";

    private readonly Lock _gate = new();
    private readonly Dictionary<BucketKey, Bucket> _buckets = [];
    private readonly KeylessAllowances _allowances;
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly IAuditTrail _audit;
    private readonly IGatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Func<int> _perMinute;
    private readonly int _maxBuckets;
    private readonly ILogger _logger;

    public AuthenticationFailures(
        IAuditTrail audit,
        IGatewayMetrics metrics,
        TimeProvider time,
        LastGoodOptions<UnauthenticatedOptions> options,
        ILogger<AuthenticationFailures> logger)
        : this(audit, metrics, time, () => options.Value.UnauthenticatedRequestsPerMinute, DefaultMaxBuckets, logger)
    {
    }

    internal AuthenticationFailures(
        IAuditTrail audit, IGatewayMetrics metrics, TimeProvider time, Func<int> perMinute, int maxBuckets, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, 1);
        _audit = audit;
        _metrics = metrics;
        _time = time;
        _perMinute = perMinute;
        _maxBuckets = maxBuckets;
        _logger = logger;
        _allowances = new KeylessAllowances(time, maxBuckets);

        // Every series at 0 from the start, so a rate or an alert works before the first refusal.
        foreach (var (routes, kinds) in new[]
        {
            (AuthRoutes.ClientFamilies, new[] { AuthFailureKinds.MissingKey, AuthFailureKinds.InvalidKey }),
            (AuthRoutes.AdminFamilies, new[] { AuthFailureKinds.MissingKey, AuthFailureKinds.InvalidAdminKey }),
        })
        {
            foreach (var route in routes)
            {
                foreach (var kind in kinds)
                {
                    metrics.RecordAuthFailures(route, kind, Refused, 0);
                    metrics.RecordAuthFailures(route, kind, Throttled, 0);
                }
            }
        }

        metrics.RecordAuthFailures(AuthRoutes.CdsHooks, AuthFailureKinds.InvalidToken, Refused, 0);
        metrics.RecordAuthFailures(AuthRoutes.CdsHooks, AuthFailureKinds.InvalidToken, Throttled, 0);
    }

    /// <summary>Buckets waiting for their audit record (for tests of the bound).</summary>
    internal int PendingBuckets
    {
        get
        {
            lock (_gate)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>Counts one refused request and says whether its address is over the limit.</summary>
    /// <param name="address">Source address as <see cref="RefusedRequests.AddressOf"/> gives it.</param>
    /// <param name="route">One of <see cref="AuthRoutes"/>.</param>
    /// <param name="kind">One of <see cref="AuthFailureKinds"/>.</param>
    /// <param name="sample">The request as <see cref="RefusedRequests.Sample"/> gives it; kept only for a new bucket.</param>
    /// <param name="traceId">The refused request's trace id; the first of a bucket becomes its record's.</param>
    public AuthRefusal Refuse(string address, string route, string kind, string sample, string traceId)
    {
        var now = _time.GetUtcNow();
        var minute = MinuteOf(now);
        AuthRefusal refusal;
        lock (_gate)
        {
            refusal = _allowances.Spend(address, _perMinute());
            var key = new BucketKey(address, minute, route, kind);
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                if (_buckets.Count >= _maxBuckets)
                {
                    // Beyond the bound, new addresses share one bucket per minute, route and kind: a flood from
                    // many (spoofed or IPv6) addresses still counts, but cannot grow memory or the audit trail.
                    key = key with { Address = OtherAddresses };
                    _buckets.TryGetValue(key, out bucket);
                }

                if (bucket is null)
                {
                    bucket = new Bucket(now, sample, traceId);
                    _buckets[key] = bucket;
                }
            }

            bucket.Count++;
            bucket.Last = now;
            if (refusal.Throttled)
            {
                bucket.Throttled++;
            }
        }

        _metrics.RecordAuthFailures(route, kind, refusal.Throttled ? Throttled : Refused, 1);
        return refusal;
    }

    /// <summary>
    /// Appends one audit record per bucket whose minute has closed, or per bucket at all when
    /// <paramref name="all"/> (at shutdown, and for tests). Buckets whose record cannot be committed stay for the next flush.
    /// </summary>
    public async Task FlushAsync(bool all, CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var currentMinute = MinuteOf(_time.GetUtcNow());
            List<KeyValuePair<BucketKey, Bucket>> due;
            lock (_gate)
            {
                due = [.. _buckets.Where(b => all || b.Key.Minute < currentMinute)];
                foreach (var (key, _) in due)
                {
                    _buckets.Remove(key);
                }

                _allowances.ForgetIdle(_perMinute());
            }

            due.Sort((a, b) => a.Value.First.CompareTo(b.Value.First));
            for (var i = 0; i < due.Count; i++)
            {
                var (key, bucket) = due[i];
                try
                {
                    // Not cancelled by shutdown: these are the last records of refusals the gateway has already answered.
                    await _audit.AppendAsync(ToEntry(key, bucket), CancellationToken.None);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogAuditFailed(_logger, StoreRefusals.Loggable(ex), ex.GetType().Name, due.Count - i);
                    Requeue(due.Skip(i));
                    return;
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private static long MinuteOf(DateTimeOffset time) => time.ToUnixTimeSeconds() / 60;

    private static AuditEntry ToEntry(BucketKey key, Bucket bucket) => new()
    {
        Timestamp = bucket.First,
        TraceId = bucket.TraceId,
        Decision = AuditDecision,
        Reasons = string.Create(
            CultureInfo.InvariantCulture,
            $"{key.Kind};route:{key.Route};count:{bucket.Count};throttled:{bucket.Throttled};address:{key.Address};last:{bucket.Last:O};request:{bucket.Sample}"),
        StatusCode = bucket.Throttled == bucket.Count ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized,
        LatencyMs = 0,
    };

    private void Requeue(IEnumerable<KeyValuePair<BucketKey, Bucket>> failed)
    {
        lock (_gate)
        {
            foreach (var (key, bucket) in failed)
            {
                if (_buckets.TryGetValue(key, out var current))
                {
                    current.MergeEarlier(bucket);
                }
                else
                {
                    _buckets[key] = bucket;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit records of {Count} refused-authentication buckets could not be committed ({ExceptionType}); they are kept for the next flush.")]
    private static partial void LogAuditFailed(ILogger logger, Exception? exception, string exceptionType, int count);

    private readonly record struct BucketKey(string Address, long Minute, string Route, string Kind);

    private sealed class Bucket(DateTimeOffset first, string sample, string traceId)
    {
        public DateTimeOffset First { get; private set; } = first;

        public DateTimeOffset Last { get; set; } = first;

        public string Sample { get; private set; } = sample;

        public string TraceId { get; private set; } = traceId;

        public long Count { get; set; }

        public long Throttled { get; set; }

        /// <summary>Takes in a bucket of the same key whose record failed; it began earlier, so its sample and trace id stand.</summary>
        public void MergeEarlier(Bucket earlier)
        {
            Count += earlier.Count;
            Throttled += earlier.Throttled;
            First = earlier.First;
            Sample = earlier.Sample;
            TraceId = earlier.TraceId;
        }
    }
}

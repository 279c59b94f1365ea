using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Gateway.Security;
using XefAI.Governance;

namespace XefAI.Gateway.Tests.Security;

public sealed class AuthenticationFailuresTests
{
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 5, TimeSpan.Zero));
    private readonly RecordingAuditTrail _audit = new();
    private readonly RecordingMetrics _metrics = new();

    [Fact]
    public async Task Refuse_MoreAddressesThanBucketBound_NewAddressesShareOneOtherBucket()
    {
        var failures = Create(maxBuckets: 3);

        for (var i = 1; i <= 50; i++)
        {
            for (var j = 0; j < 2; j++)
            {
                failures.Refuse($"10.0.0.{i}", AuthRoutes.Chat, AuthFailureKinds.MissingKey, "POST /v1/chat/completions", "trace");
            }
        }

        Assert.Equal(4, failures.PendingBuckets);
        await failures.FlushAsync(all: true);
        Assert.Equal(4, _audit.Entries.Count);
        Assert.Equal(100, _audit.Entries.Sum(e => Count(e)));
        var other = Assert.Single(_audit.Entries, e => e.Reasons!.Contains(";address:other;", StringComparison.Ordinal));
        Assert.Equal(94, Count(other));
        Assert.Equal(0, failures.PendingBuckets);
        Assert.Equal(100, _metrics.Total);
    }

    [Fact]
    public async Task FlushAsync_MinuteStillOpen_RecordWrittenOnlyOnceMinuteCloses()
    {
        var failures = Create();
        failures.Refuse("10.0.0.1", AuthRoutes.Admin, AuthFailureKinds.InvalidAdminKey, "GET /admin/audit", "trace-1");
        _time.Advance(TimeSpan.FromSeconds(30));
        failures.Refuse("10.0.0.1", AuthRoutes.Admin, AuthFailureKinds.InvalidAdminKey, "GET /admin/other", "trace-2");

        await failures.FlushAsync(all: false);
        Assert.Empty(_audit.Entries);

        _time.Advance(TimeSpan.FromSeconds(30));
        await failures.FlushAsync(all: false);

        var entry = Assert.Single(_audit.Entries);
        Assert.Equal(AuthenticationFailures.AuditDecision, entry.Decision);
        Assert.Equal("trace-1", entry.TraceId);
        Assert.Equal(401, entry.StatusCode);
        Assert.Equal(
            "invalid_admin_key;route:admin;count:2;throttled:0;address:10.0.0.1;last:2026-11-22T10:00:35.0000000+00:00;request:GET /admin/audit",
            entry.Reasons);
    }

    [Fact]
    public async Task FlushAsync_AuditStoreDown_BucketKeptAndWrittenOnNextFlush()
    {
        var failures = Create();
        failures.Refuse("10.0.0.1", AuthRoutes.Chat, AuthFailureKinds.MissingKey, "POST /v1/chat/completions", "trace");
        _audit.Fail = true;

        await failures.FlushAsync(all: true);
        _audit.Fail = false;
        await failures.FlushAsync(all: true);

        Assert.Equal(1, Count(Assert.Single(_audit.Entries)));
    }

    [Fact]
    public void Refuse_OverPerMinuteLimit_ThrottledUntilAllowanceRefills()
    {
        var failures = Create(perMinute: 2);

        var first = failures.Refuse("10.0.0.1", AuthRoutes.Chat, AuthFailureKinds.MissingKey, "POST /", "t");
        var second = failures.Refuse("10.0.0.1", AuthRoutes.Models, AuthFailureKinds.MissingKey, "GET /", "t");
        var third = failures.Refuse("10.0.0.1", AuthRoutes.Chat, AuthFailureKinds.InvalidKey, "POST /", "t");
        var elsewhere = failures.Refuse("10.0.0.2", AuthRoutes.Chat, AuthFailureKinds.MissingKey, "POST /", "t");
        _time.Advance(TimeSpan.FromSeconds(31));
        var refilled = failures.Refuse("10.0.0.1", AuthRoutes.Chat, AuthFailureKinds.MissingKey, "POST /", "t");

        Assert.False(first.Throttled);
        Assert.False(second.Throttled);
        Assert.True(third.Throttled);
        Assert.Equal(TimeSpan.FromSeconds(30), third.RetryAfter);
        Assert.False(elsewhere.Throttled);
        Assert.False(refilled.Throttled);
    }

    [Fact]
    public void Sample_LongPathWithOddCharacters_EscapedAndCutWithoutQuery()
    {
        var sample = RefusedRequests.Sample("GET", new PathString("/admin/audit/" + new string('x', 8_000) + "\n\u00e9"));

        Assert.Equal(RefusedRequests.SampleLength, sample.Length);
        Assert.StartsWith("GET /admin/audit/xxx", sample, StringComparison.Ordinal);
        Assert.Equal("GET /a%0A%C3%A9", RefusedRequests.Sample("GET", new PathString("/a\n\u00e9")));
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    public void AddressOf_Address_IPv4AsIsIPv6ByItsSlash64(string address, string expected) =>
        Assert.Equal(expected, RefusedRequests.AddressOf(IPAddress.Parse(address)));

    private static long Count(AuditEntry entry) =>
        long.Parse(entry.Reasons!.Split(';').Single(p => p.StartsWith("count:", StringComparison.Ordinal))[6..], System.Globalization.CultureInfo.InvariantCulture);

    private AuthenticationFailures Create(int maxBuckets = AuthenticationFailures.DefaultMaxBuckets, int perMinute = 60) =>
        new(_audit, _metrics, _time, () => perMinute, maxBuckets, NullLogger.Instance);

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => _now;

        public override long GetTimestamp() => _now.UtcTicks;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class RecordingAuditTrail : IAuditTrail
    {
        public List<AuditEntry> Entries { get; } = [];

        public bool Fail { get; set; }

        public string StoreKind => "memory";

        public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new AuditUnavailableException("down");
            }

            Entries.Add(entry);
            return ValueTask.FromResult(new AuditRecord($"aud-{Entries.Count}", Entries.Count, entry, "prev", "hash"));
        }

        public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);
    }

    private sealed class RecordingMetrics : IGatewayMetrics
    {
        public long Total { get; private set; }

        public void RecordAuthFailures(string route, string kind, string outcome, int count) => Total += count;

        public void RecordCall(CallMeasurement measurement)
        {
        }

        public void RecordPolicyDenial(string reasonCode)
        {
        }

        public void RecordAuditWrite(bool committed, TimeSpan duration)
        {
        }

        public void RecordFallback(string useCase, string fromDeployment, string reason)
        {
        }

        public void RecordDeprecatedModelCall(string deployment)
        {
        }

        public void RecordPhiRedactions(string kind, int count)
        {
        }

        public void RecordFeedback(string useCase, string outcome)
        {
        }
    }
}

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// Traffic, failures, latency and spend of the last <see cref="WindowMinutes"/> minutes in this process, per use case and
/// per deployment, for <c>GET /admin/status</c>. Kept in memory (Prometheus has the long history and every replica);
/// keys are configured ids only, so the tables stay bounded.
/// </summary>
internal sealed class CallStatistics(TimeProvider time)
{
    public const int WindowMinutes = 15;

    /// <summary>The p95 is taken over the most recent calls, at most this many per key.</summary>
    public const int LatencySamples = 512;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Window> _useCases = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Window> _deployments = new(StringComparer.Ordinal);

    /// <param name="failed">The call failed (a vendor error, a timeout, a refused de-identification), not refused by policy.</param>
    public void Record(string useCase, string? deployment, bool failed, TimeSpan duration, double? costUsd)
    {
        var minute = Minute();
        var cost = costUsd ?? 0;
        _useCases.GetOrAdd(useCase, static _ => new Window()).Add(minute, failed, duration.TotalMilliseconds, cost);
        if (deployment is not null)
        {
            _deployments.GetOrAdd(deployment, static _ => new Window()).Add(minute, failed, duration.TotalMilliseconds, cost);
        }
    }

    public Snapshot ForUseCase(string id) => _useCases.TryGetValue(id, out var window) ? window.Read(Minute()) : Snapshot.Empty;

    public Snapshot ForDeployment(string id) => _deployments.TryGetValue(id, out var window) ? window.Read(Minute()) : Snapshot.Empty;

    private long Minute() => time.GetUtcNow().ToUnixTimeSeconds() / 60;

    /// <summary>What the window holds: calls, failures, p95 of the recent calls' durations and spend.</summary>
    public sealed record Snapshot(long Calls, long Failed, double? P95Ms, double SpendUsd)
    {
        public static Snapshot Empty { get; } = new(0, 0, null, 0);

        public double? ErrorRate => Calls == 0 ? null : Math.Round((double)Failed / Calls, 4);

        public double CallsPerMinute => Math.Round((double)Calls / WindowMinutes, 2);
    }

    /// <summary>One-minute buckets in a ring, and a ring of recent durations; one lock, held for a few stores.</summary>
    private sealed class Window
    {
        private readonly Lock _gate = new();
        private readonly long[] _minuteOf = new long[WindowMinutes];
        private readonly long[] _calls = new long[WindowMinutes];
        private readonly long[] _failed = new long[WindowMinutes];
        private readonly double[] _spend = new double[WindowMinutes];
        private readonly double[] _latencies = new double[LatencySamples];
        private int _next;
        private int _samples;

        public void Add(long minute, bool failed, double milliseconds, double cost)
        {
            var slot = (int)(minute % WindowMinutes);
            lock (_gate)
            {
                if (_minuteOf[slot] != minute)
                {
                    _minuteOf[slot] = minute;
                    _calls[slot] = 0;
                    _failed[slot] = 0;
                    _spend[slot] = 0;
                }

                _calls[slot]++;
                _failed[slot] += failed ? 1 : 0;
                _spend[slot] += cost;
                _latencies[_next] = milliseconds;
                _next = (_next + 1) % LatencySamples;
                _samples = Math.Min(_samples + 1, LatencySamples);
            }
        }

        public Snapshot Read(long minute)
        {
            long calls = 0, failed = 0;
            double spend = 0;
            double[] recent;
            lock (_gate)
            {
                for (var i = 0; i < WindowMinutes; i++)
                {
                    if (minute - _minuteOf[i] is >= 0 and < WindowMinutes)
                    {
                        calls += _calls[i];
                        failed += _failed[i];
                        spend += _spend[i];
                    }
                }

                recent = _latencies[.._samples];
            }

            double? p95 = null;
            if (calls > 0 && recent.Length > 0)
            {
                Array.Sort(recent);
                p95 = Math.Round(recent[Math.Min(recent.Length - 1, (int)Math.Ceiling(0.95 * recent.Length) - 1)], 3);
            }

            return new Snapshot(calls, failed, p95, Math.Round(spend, 6));
        }
    }
}

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// The <c>jti</c> of every client token accepted and not yet expired, per issuer, so a captured token is good for one
/// call only. Bounded: each id is forgotten when its token expires (it would be refused as expired anyway), and when
/// the bound is reached with every id still live, new tokens are refused rather than old ids forgotten, which would
/// let their tokens be replayed.
/// </summary>
/// <remarks>
/// In memory, per gateway process: the first check, with no I/O. <see cref="CdsClientTokens"/> then records an id this
/// process accepts in the governance state store (<see cref="XefAI.Governance.ITokenReplayStore"/>), which replicas share.
/// </remarks>
internal sealed class CdsTokenReplays(TimeProvider time, int capacity = CdsTokenReplays.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Issuer, string Id), DateTimeOffset> _seen = [];
    private readonly PriorityQueue<(string Issuer, string Id), DateTimeOffset> _expiries = new();

    /// <summary>Ids kept now (for tests of the bound).</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>Records the token's id, unless it was seen before or there is no room.</summary>
    /// <param name="forgetAfter">When the id may be forgotten: the token's <c>exp</c> plus the clock skew allowed.</param>
    public CdsReplayVerdict TryRecord(string issuer, string id, DateTimeOffset forgetAfter)
    {
        var key = (issuer, id);
        lock (_gate)
        {
            var now = time.GetUtcNow();
            while (_expiries.TryPeek(out var oldest, out var expiry) && expiry <= now)
            {
                _expiries.Dequeue();

                // The queue may hold an id whose entry was re-recorded later; only the entry's own expiry removes it.
                if (_seen.TryGetValue(oldest, out var recorded) && recorded <= now)
                {
                    _seen.Remove(oldest);
                }
            }

            if (_seen.ContainsKey(key))
            {
                return CdsReplayVerdict.Replayed;
            }

            if (_seen.Count >= capacity)
            {
                return CdsReplayVerdict.Full;
            }

            _seen[key] = forgetAfter;
            _expiries.Enqueue(key, forgetAfter);
            return CdsReplayVerdict.Recorded;
        }
    }
}

/// <summary>What <see cref="CdsTokenReplays.TryRecord"/> did.</summary>
internal enum CdsReplayVerdict
{
    Recorded,
    Replayed,
    Full,
}

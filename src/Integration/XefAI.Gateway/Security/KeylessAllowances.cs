namespace XefAI.Gateway.Security;

/// <summary>
/// How many keyless requests each source address may still make: a token bucket per address, a burst of the limit,
/// refilled at the limit per minute. Past a fixed number of addresses, new ones share one allowance, so a flood from
/// many addresses cannot grow memory. Not thread-safe: <see cref="AuthenticationFailures"/> calls it under its lock.
/// </summary>
internal sealed class KeylessAllowances(TimeProvider time, int maxAddresses)
{
    private readonly Dictionary<string, Allowance> _allowances = new(StringComparer.Ordinal);

    /// <summary>Spends one request of the address's allowance, or says how long until it may make one.</summary>
    public AuthRefusal Spend(string address, int limit)
    {
        var now = time.GetTimestamp();
        if (!_allowances.TryGetValue(address, out var allowance))
        {
            if (_allowances.Count >= maxAddresses && !_allowances.TryGetValue(AuthenticationFailures.OtherAddresses, out allowance))
            {
                allowance = new Allowance(limit, now);
                _allowances[AuthenticationFailures.OtherAddresses] = allowance;
            }
            else if (allowance is null)
            {
                allowance = new Allowance(limit, now);
                _allowances[address] = allowance;
            }
        }

        var perSecond = limit / 60.0;
        allowance.Tokens = Math.Min(limit, allowance.Tokens + (time.GetElapsedTime(allowance.Stamp, now).TotalSeconds * perSecond));
        allowance.Stamp = now;
        if (allowance.Tokens >= 1)
        {
            allowance.Tokens--;
            return new AuthRefusal(false, TimeSpan.Zero);
        }

        return new AuthRefusal(true, TimeSpan.FromSeconds((1 - allowance.Tokens) / perSecond));
    }

    /// <summary>An address whose allowance has refilled is indistinguishable from a new one: forget it.</summary>
    public void ForgetIdle(int limit)
    {
        var now = time.GetTimestamp();
        var perSecond = limit / 60.0;
        foreach (var (address, allowance) in _allowances)
        {
            if (allowance.Tokens + (time.GetElapsedTime(allowance.Stamp, now).TotalSeconds * perSecond) >= limit)
            {
                _allowances.Remove(address);
            }
        }
    }

    private sealed class Allowance(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;
    }
}

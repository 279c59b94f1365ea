using Microsoft.Extensions.Options;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// The last valid value of reloadable options, for readers outside a call (a call reads its
/// <see cref="GatewaySnapshot"/>). An edit that fails validation or binding makes
/// <see cref="IOptionsMonitor{TOptions}.CurrentValue"/> throw on every read; this keeps serving the value in
/// force before the edit (the rejection is logged by the configuration reload observer).
/// </summary>
internal sealed class LastGoodOptions<T> : IDisposable
    where T : class
{
    private readonly IDisposable? _subscription;
    private readonly Func<T>? _inForce;
    private volatile T _value;

    public LastGoodOptions(IOptionsMonitor<T> monitor)
    {
        _value = monitor.CurrentValue;
        _subscription = monitor.OnChange(value => _value = value);
    }

    private LastGoodOptions(Func<T> inForce)
    {
        _inForce = inForce;
        _value = null!;
    }

    public T Value => _inForce is null ? _value : _inForce();

    /// <summary>
    /// Options that follow the configuration snapshot in force, for the options types a snapshot holds: an edit its
    /// options validator accepts but the cross-layer check refuses must not reach these readers either.
    /// </summary>
    public static LastGoodOptions<T> Following(Func<T> inForce)
    {
        ArgumentNullException.ThrowIfNull(inForce);
        return new LastGoodOptions<T>(inForce);
    }

    public void Dispose() => _subscription?.Dispose();
}

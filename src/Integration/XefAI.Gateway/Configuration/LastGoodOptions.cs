using Microsoft.Extensions.Options;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// The last valid value of reloadable options. An edit that fails validation or binding makes
/// <see cref="IOptionsMonitor{TOptions}.CurrentValue"/> throw on every read; this keeps serving the value in
/// force before the edit (the rejection is logged by the configuration reload observer).
/// </summary>
internal sealed class LastGoodOptions<T> : IDisposable
    where T : class
{
    private readonly IDisposable? _subscription;
    private volatile T _value;

    public LastGoodOptions(IOptionsMonitor<T> monitor)
    {
        _value = monitor.CurrentValue;
        _subscription = monitor.OnChange(value => _value = value);
    }

    public T Value => _value;

    public void Dispose() => _subscription?.Dispose();
}

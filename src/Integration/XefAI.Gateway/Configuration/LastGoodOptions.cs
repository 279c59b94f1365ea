using Microsoft.Extensions.Options;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// The last valid value of reloadable options. An edit that fails validation makes
/// <see cref="IOptionsMonitor{TOptions}.CurrentValue"/> throw on every read; this keeps serving the value in
/// force before the edit, and the rejection is logged.
/// </summary>
internal sealed partial class LastGoodOptions<T> : IDisposable
    where T : class
{
    private readonly IDisposable? _subscription;
    private readonly IDisposable _reloadSubscription;
    private volatile T _value;

    public LastGoodOptions(IOptionsMonitor<T> monitor, IConfiguration configuration, ILogger<LastGoodOptions<T>> logger)
    {
        _value = monitor.CurrentValue;
        _subscription = monitor.OnChange(value => _value = value);
        _reloadSubscription = Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () =>
        {
            try
            {
                _ = monitor.CurrentValue;
            }
            catch (OptionsValidationException ex)
            {
                LogRejected(logger, typeof(T).Name, string.Join(" ", ex.Failures));
            }
        });
    }

    public T Value => _value;

    public void Dispose()
    {
        _subscription?.Dispose();
        _reloadSubscription.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration edit rejected, the last good {Options} stay in force: {Errors}")]
    private static partial void LogRejected(ILogger logger, string options, string errors);
}

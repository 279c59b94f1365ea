using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>
/// The last <see cref="GovernanceOptions"/> that passed validation. <see cref="IOptionsMonitor{T}.CurrentValue"/>
/// throws after a bad edit; this keeps serving the configuration in force.
/// </summary>
internal sealed class LastGoodGovernanceOptions : IDisposable
{
    private readonly IDisposable? _subscription;
    private GovernanceOptions _value;

    public LastGoodGovernanceOptions(IOptionsMonitor<GovernanceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _value = options.CurrentValue;
        _subscription = options.OnChange((value, name) =>
        {
            if (name == Options.DefaultName)
            {
                Volatile.Write(ref _value, value);
            }
        });
    }

    public GovernanceOptions Value => Volatile.Read(ref _value);

    public void Dispose() => _subscription?.Dispose();
}

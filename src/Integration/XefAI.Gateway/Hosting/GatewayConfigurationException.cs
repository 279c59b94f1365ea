namespace XefAI.Gateway.Hosting;

/// <summary>
/// The gateway's configuration cannot start it: every problem found, so an operator fixes them in one go
/// instead of one per restart. The entry point prints them and exits with code 1.
/// </summary>
internal sealed class GatewayConfigurationException(IReadOnlyList<string> errors)
    : Exception("The gateway's configuration is invalid: " + string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

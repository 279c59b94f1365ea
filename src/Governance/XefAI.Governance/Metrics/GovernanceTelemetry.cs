namespace XefAI.Governance;

/// <summary>Names the host needs to export the governance layer's telemetry.</summary>
public static class GovernanceTelemetry
{
    /// <summary>The one meter of the gateway's own metrics (<c>AddMeter(GovernanceTelemetry.MeterName)</c>).</summary>
    public const string MeterName = "XefAI.Gateway";
}

namespace XefAI.Gateway.Configuration;

/// <summary>
/// Drift of each use case's answers (<c>Gateway:Drift</c>): the first <see cref="BaselineCalls"/> answered calls after
/// start-up are the baseline, the last <see cref="WindowCalls"/> the current window, and the population stability index
/// between them per feature is exported as <c>xefai_drift_psi{use_case,feature}</c>.
/// </summary>
internal sealed class DriftOptions
{
    public const int MaxCalls = 1_000_000;

    /// <summary>Answered calls that make a use case's baseline.</summary>
    public int BaselineCalls { get; set; } = 500;

    /// <summary>The most recent answered calls compared with the baseline.</summary>
    public int WindowCalls { get; set; } = 500;

    /// <summary>A PSI above this is drift: a warning in the log and, with <see cref="OpenIncident"/>, an incident.</summary>
    public double Threshold { get; set; } = 0.2;

    /// <summary>Open an incident for the use case when its drift crosses the threshold (the incident rules may suspend it).</summary>
    public bool OpenIncident { get; set; }
}

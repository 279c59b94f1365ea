namespace XefAI.Governance;

/// <summary>The <c>Governance:Incidents</c> section.</summary>
public sealed record IncidentOptions
{
    /// <summary>How far back incidents count towards an automatic suspension.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Incidents within <see cref="Window"/> that suspend the use case; <c>0</c> never suspends.</summary>
    public int SuspendAfter { get; init; } = 3;
}

/// <summary>The <c>Governance:ErrorRate</c> section.</summary>
public sealed record ErrorRateOptions
{
    /// <summary>Share of failed calls (more than 0, at most 1) above which the use case is suspended.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Calls within <see cref="Window"/> needed before the rate is judged at all.</summary>
    public int MinimumCalls { get; init; } = 20;

    /// <summary>The sliding window the rate is measured over.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);
}

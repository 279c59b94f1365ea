namespace XefAI.Governance.Reviews;

/// <summary>Where held answers are kept: the governance state database (<c>Governance:Sqlite</c>).</summary>
public sealed class ReviewOptions
{
    public const string SectionName = "Governance:Sqlite";

    /// <summary>SQLite file of the review queue; relative paths resolve against the content root.</summary>
    public string Path { get; set; } = "data/governance.db";

    public int BusyTimeoutSeconds { get; set; } = 5;
}

namespace XefAI.Governance;

/// <summary>Ids of governance state records: a prefix and a version-7 GUID from the injected clock, so ids sort by time.</summary>
internal static class GovernanceIds
{
    public const string UseCaseChange = "ucs_";
    public const string DeploymentChange = "dep_";
    public const string Incident = "inc_";

    public static string New(string prefix, DateTimeOffset time) => prefix + Guid.CreateVersion7(time).ToString("N");
}

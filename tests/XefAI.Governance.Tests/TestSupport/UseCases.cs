namespace XefAI.Governance.Tests;

/// <summary>Use cases as the registry hands them to policies.</summary>
internal static class UseCases
{
    public static UseCase Active(RiskTier tier, string id = "triage") =>
        new(id, "Triage score", "Emergency medicine", "Dr. B. Osei", null, tier, UseCaseStatus.Active, ["gpt-eu-1"]);

    /// <summary>Configuration keys of one use case under <c>Governance:UseCases</c>.</summary>
    public static Dictionary<string, string?> Configured(
        string id, int tier, string status, string? sponsor = null, params (string Key, string? Value)[] extra)
    {
        var values = new Dictionary<string, string?>
        {
            [$"Governance:UseCases:{id}:Name"] = id,
            [$"Governance:UseCases:{id}:Owner"] = "Owner",
            [$"Governance:UseCases:{id}:ClinicalSponsor"] = sponsor,
            [$"Governance:UseCases:{id}:Tier"] = tier.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Governance:UseCases:{id}:Status"] = status,
            [$"Governance:UseCases:{id}:Providers:0"] = "gpt-eu-1",
        };
        foreach (var (key, value) in extra)
        {
            values[$"Governance:UseCases:{id}:{key}"] = value;
        }

        return values;
    }
}

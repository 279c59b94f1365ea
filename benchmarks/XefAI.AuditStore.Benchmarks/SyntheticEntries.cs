using System.Globalization;
using XefAI.Governance;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>A tier-1 metadata record like a governed vendor call's; every value synthetic (no PHI).</summary>
internal static class SyntheticEntries
{
    private static readonly IReadOnlyList<AuditAttempt> Attempts = [new AuditAttempt("gpt-4o-east", "vendor", "succeeded", 200, 412.5)];

    public static AuditEntry Create(long n, DateTimeOffset timestamp) => new()
    {
        Timestamp = timestamp,
        TraceId = n.ToString("x32", CultureInfo.InvariantCulture),
        AppId = "bench-app-" + (n % 7).ToString(CultureInfo.InvariantCulture),
        PatientPseudonym = "psn_" + (n % 10007).ToString("x12", CultureInfo.InvariantCulture),
        UseCaseId = "discharge-summary",
        RiskTier = 1,
        Decision = "answered",
        StatusCode = 200,
        Provider = "openai",
        Deployment = "gpt-4o-east",
        Model = "gpt-4o",
        InputSha256 = (n * 31).ToString("x64", CultureInfo.InvariantCulture),
        OutputSha256 = (n * 37).ToString("x64", CultureInfo.InvariantCulture),
        InputTokens = 812,
        OutputTokens = 240,
        LatencyMs = 431.25,
        CostUsd = 0.0043,
        Attempts = Attempts,
        DeIdentification = "applied",
    };
}

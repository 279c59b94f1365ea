namespace XefAI.Governance.Tests;

internal static class AuditEntries
{
    public static readonly DateTimeOffset BaseTime = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    public static AuditEntry Create(
        int n,
        string useCase = "discharge-summary",
        string app = "epic-addon",
        string patient = "pt_a1",
        DateTimeOffset? timestamp = null) =>
        new()
        {
            Timestamp = timestamp ?? BaseTime.AddSeconds(n),
            TraceId = $"trace-{n:D4}",
            AppId = app,
            PatientPseudonym = patient,
            UseCaseId = useCase,
            RiskTier = 3,
            Decision = "answered",
            StatusCode = 200,
            Provider = "openai",
            Deployment = "gpt-eu-1",
            Model = "gpt-4.1",
            InputSha256 = new string('a', 64),
            OutputSha256 = new string('b', 64),
            InputTokens = 100 + n,
            OutputTokens = 50 + n,
            LatencyMs = 1234.5 + n,
        };
}

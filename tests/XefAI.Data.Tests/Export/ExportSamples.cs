namespace XefAI.Data.Tests.Export;

/// <summary>Audit facts as the host would map them from the audit trail.</summary>
internal static class ExportSamples
{
    // What PatientPseudonymizer makes of the discharge bundle's patient with the test salt.
    public const string Pseudonym = "pp-04cbbe9ab2ab074fb1bf0fb389622274";
    public const string InputSha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    public const string OutputSha256 = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    public static readonly DateTimeOffset Recorded = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    public static AuditEventFacts Answered() => new(
        AuditId: "aud_01JPB4Q2M7X0S5V8N3C6D9F2GH",
        Recorded: Recorded,
        TraceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        Decision: "answered",
        StatusCode: 200,
        Reasons: null,
        AppId: "ambient-scribe",
        UserId: "dr.hale",
        PatientPseudonym: Pseudonym,
        UseCaseId: "discharge-summary",
        RiskTier: 3,
        Provider: "openai",
        Deployment: "azure-gpt4o-east",
        Model: "gpt-4o",
        ModelVersion: "2024-08-06",
        InputSha256: InputSha256,
        OutputSha256: OutputSha256,
        GatewayName: "XefAI Gateway");

    public static ProvenanceFacts Generated() => new(
        AuditId: "aud_01JPB4Q2M7X0S5V8N3C6D9F2GH",
        Recorded: Recorded,
        PatientPseudonym: Pseudonym,
        UseCaseId: "discharge-summary",
        UseCaseName: "Discharge summary draft",
        Deployment: "azure-gpt4o-east",
        Model: "gpt-4o",
        ModelVersion: "2024-08-06",
        Vendor: "openai",
        OutputSha256: OutputSha256,
        VerifiedBy: null,
        VerifiedAt: null,
        InputSha256: InputSha256);
}

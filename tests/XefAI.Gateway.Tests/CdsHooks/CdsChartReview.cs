using System.Text.Json.Nodes;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// A patient-view chart review service whose prefetch the gateway must fetch from the EHR: shared by the tests of what
/// may and may not be fetched.
/// </summary>
internal static class CdsChartReview
{
    public const string Service = "fhir-chart-review";

    /// <summary>Starts the gateway with the service's use case in <paramref name="status"/> and, when given, <c>CdsHooks:FhirServers</c>.</summary>
    public static Task<GatewayHost> StartGatewayAsync(FakeVendor vendor, string status = "active", string[]? fhirServers = null) =>
        GatewayHost.StartAsync(configuration =>
        {
            vendor.Configure(configuration);
            configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
            var useCase = configuration.AddUseCase("fhir-chart", GatewayHost.UseCase("Chart review from the EHR", 2, status, "vendor"), "test-app");
            useCase["PromptTemplate"] = new JsonObject { ["Id"] = "chart-summary", ["Version"] = "1" };
            configuration["CdsHooks"] = new JsonObject
            {
                ["FhirServers"] = new JsonArray([.. (fhirServers ?? []).Select(s => (JsonNode?)JsonValue.Create(s))]),
                ["Services"] = new JsonObject
                {
                    [Service] = new JsonObject
                    {
                        ["UseCase"] = "fhir-chart",
                        ["Hook"] = "patient-view",
                        ["Title"] = "Chart review",
                        ["Description"] = "Summarizes the chart when a clinician opens it.",
                        ["Prefetch"] = new JsonObject { ["patient"] = "Patient/{{context.patientId}}" },
                    },
                },
            };
        });

    /// <summary>A patient-view call for Patient/123 with no prefetch, naming <paramref name="fhirServer"/> and a bearer token.</summary>
    public static string Request(string fhirServer) => new JsonObject
    {
        ["hook"] = "patient-view",
        ["hookInstance"] = Guid.NewGuid().ToString(),
        ["fhirServer"] = fhirServer,
        ["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = "ehr-token-1",
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["scope"] = "patient/*.read",
            ["subject"] = "cds-service",
        },
        ["context"] = new JsonObject { ["userId"] = "Practitioner/123", ["patientId"] = "123" },
    }.ToJsonString();
}

using System.Text.Json.Nodes;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// CDS Hooks with the clinical context on a real FHIR server (Medplum's FHIR router, started by the fixture): what the
/// EHR did not prefetch is fetched with its bearer token, reaches a vendor without a BAA de-identified, and the card
/// carries the values back.
/// </summary>
public sealed class CdsHooksFhirServerTests(MedplumFhirServerFixture fhir) : IClassFixture<MedplumFhirServerFixture>
{
    private const string Service = "fhir-chart-review";

    [FhirServerFact]
    public async Task Call_WithoutPrefetch_FetchesFromTheFhirServerAndTheVendorSeesNoIdentifier()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Patient born [DATE_1]: blood pressure reviewed. Recheck in clinic."));
        await using var host = await StartAsync(vendor);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{Service}", Request(fhir.Server.Token));

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody.ToJsonString();
        Assert.DoesNotContain("Homer", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("Simpson", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("1956-05-12", sent, StringComparison.Ordinal);
        Assert.Contains("born [DATE_1]", sent, StringComparison.Ordinal);
        var card = call.Json["cards"]!.AsArray().Single()!.AsObject();
        Assert.Equal("Patient born 1956-05-12: blood pressure reviewed.", (string?)card["summary"]);
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)card["uuid"]);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("applied", (string?)record["deIdentification"]);
        Assert.StartsWith("pp-", (string?)record["patientPseudonym"], StringComparison.Ordinal);
    }

    [FhirServerFact]
    public async Task Call_WithAWrongToken_502NamingTheServerAndNothingSent()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        await using var host = await StartAsync(vendor);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{Service}", Request("not-the-token"));

        Assert.Equal(502, call.Status);
        Assert.Equal("fhir_server_unauthorized", (string?)call.Json["error"]!["code"]);
        Assert.Contains("127.0.0.1", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
        Assert.Equal(502, (int?)(await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!))["statusCode"]);
    }

    [FhirServerFact]
    public async Task Call_WithATokenHoldingALineBreak_400InvalidFhirAuthorizationAndNothingFetchedOrSent()
    {
        // Hostile round 27: the token went into the Authorization header, which threw: a 500.
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        await using var host = await StartAsync(vendor);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{Service}", Request(fhir.Server.Token + "\r\nX-Injected: 1"));

        Assert.Equal(400, call.Status);
        Assert.Equal("invalid_fhir_authorization", (string?)call.Json["error"]!["code"]);
        Assert.Equal("fhirAuthorization", (string?)call.Json["error"]!["param"]);
        Assert.DoesNotContain("X-Injected", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
        Assert.Equal(400, (int?)(await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!))["statusCode"]);
    }

    [FhirServerFact]
    public async Task Call_PatientTheServerDoesNotHave_412AndNothingSent()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        await using var host = await StartAsync(vendor);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{Service}", Request(fhir.Server.Token, patientId: "no-such-patient"));

        Assert.Equal(412, call.Status);
        Assert.Equal("patient_not_found", (string?)call.Json["error"]!["code"]);
        Assert.DoesNotContain("no-such-patient", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
    }

    private string Request(string token, string patientId = "123") => new JsonObject
    {
        ["hook"] = "patient-view",
        ["hookInstance"] = Guid.NewGuid().ToString(),
        ["fhirServer"] = fhir.Server.BaseUrl,
        ["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["scope"] = "patient/*.read",
            ["subject"] = "cds-service",
        },
        ["context"] = new JsonObject { ["userId"] = "Practitioner/123", ["patientId"] = patientId },
    }.ToJsonString();

    private static Task<GatewayHost> StartAsync(FakeVendor vendor) => GatewayHost.StartAsync(configuration =>
    {
        vendor.Configure(configuration);
        configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
        var useCase = configuration.AddUseCase("fhir-chart", GatewayHost.UseCase("Chart review from the EHR", 2, "active", "vendor"), "test-app");
        useCase["PromptTemplate"] = new JsonObject { ["Id"] = "chart-summary", ["Version"] = "1" };
        configuration["CdsHooks"] = new JsonObject
        {
            ["Services"] = new JsonObject
            {
                [Service] = new JsonObject
                {
                    ["UseCase"] = "fhir-chart",
                    ["Hook"] = "patient-view",
                    ["Title"] = "Chart review",
                    ["Description"] = "Summarizes the chart when a clinician opens it.",
                    ["Prefetch"] = new JsonObject
                    {
                        ["patient"] = "Patient/{{context.patientId}}",
                        ["observations"] = "Observation?subject=Patient/{{context.patientId}}&_count=5",
                    },
                },
            },
        };
    });
}

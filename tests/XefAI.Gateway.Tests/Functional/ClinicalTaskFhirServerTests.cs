using System.Text.Json.Nodes;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The clinical task API with the patient's data on a real FHIR server (Medplum's, started by the fixture): a use case
/// that names the server and its queries takes just a patient id.
/// </summary>
public sealed class ClinicalTaskFhirServerTests(MedplumFhirServerFixture fhir) : IClassFixture<MedplumFhirServerFixture>
{
    private const string UseCase = "ehr-chart";
    private const string TokenVariable = "XEFAI_TEST_EHR_TOKEN";

    [FhirServerFact]
    public async Task Invoke_WithAPatientId_ReadsThePatientFromTheFhirServerAndDeIdentifiesItForTheVendor()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Born [DATE_1]; no active problems."));
        Environment.SetEnvironmentVariable(TokenVariable, fhir.Server.Token);
        await using var host = await StartAsync(vendor, fhir.Server.BaseUrl);
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, """{"patient": "123"}""", contentType: "application/json");

        Assert.Equal(200, call.Status);
        var sent = vendor.LastRequestBody.ToJsonString();
        Assert.DoesNotContain("Homer", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("1956-05-12", sent, StringComparison.Ordinal);
        Assert.Contains("[DATE_1]", sent, StringComparison.Ordinal);
        Assert.Equal("Born 1956-05-12; no active problems.", (string?)call.Json["answer"]);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.StartsWith("pp-", (string?)record["patientPseudonym"], StringComparison.Ordinal);
    }

    [FhirServerFact]
    public async Task Invoke_UnknownPatient_404AndNothingSent()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        Environment.SetEnvironmentVariable(TokenVariable, fhir.Server.Token);
        await using var host = await StartAsync(vendor, fhir.Server.BaseUrl);
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, """{"patient": "nobody"}""", contentType: "application/json");

        Assert.Equal(404, call.Status);
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task Invoke_ServerUnreachable_502NamingTheServerNever500()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        await using var host = await StartAsync(vendor, "http://127.0.0.1:1/fhir/R4");
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, """{"patient": "123"}""", contentType: "application/json");

        Assert.Equal(502, call.Status);
        Assert.Contains("127.0.0.1:1", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
    }

    [Theory]
    [InlineData("""{"patient": "../../Observation"}""", 400)]
    [InlineData("""{"patient": 123}""", 400)]
    [InlineData("""{"patient": "123", "bundle": {"resourceType": "Bundle", "type": "collection"}}""", 400)]
    public async Task Invoke_BadPatient_400AndNothingSent(string body, int status)
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        await using var host = await StartAsync(vendor, "http://127.0.0.1:1/fhir/R4");
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, body, contentType: "application/json");

        Assert.Equal(status, call.Status);
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task Invoke_PatientIdForAUseCaseWithNoFhirServer_400()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        await using var host = await StartAsync(vendor, fhirServer: null);
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, """{"patient": "123"}""", contentType: "application/json");

        Assert.Equal(400, call.Status);
        Assert.Contains("use_case_reads_no_fhir_server", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
    }

    private static Task<GatewayHost> StartAsync(FakeVendor vendor, string? fhirServer) => GatewayHost.StartAsync(configuration =>
    {
        vendor.Configure(configuration);
        configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
        var useCase = configuration.AddUseCase(UseCase, GatewayHost.UseCase("Chart summary from the EHR", 2, "active", "vendor"), "test-app");
        useCase["PromptTemplate"] = new JsonObject { ["Id"] = "chart-summary", ["Version"] = "1" };
        if (fhirServer is not null)
        {
            configuration["ClinicalTasks"] = new JsonObject
            {
                ["FhirContext"] = new JsonObject
                {
                    [UseCase] = new JsonObject
                    {
                        ["FhirServer"] = fhirServer,
                        ["Queries"] = new JsonArray("Patient/{{patientId}}", "Observation?subject=Patient/{{patientId}}&_count=5"),
                        ["TokenVariable"] = TokenVariable,
                    },
                },
            };
        }
    });
}

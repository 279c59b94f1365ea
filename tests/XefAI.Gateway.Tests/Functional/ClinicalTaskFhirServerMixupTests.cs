using System.Text.Json.Nodes;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A patient-id invoke whose FHIR server answers with another patient's data (hostile testing, round 17): the answer
/// would be about the wrong person, so nothing goes to the vendor and the caller gets a 502 naming the server. And one
/// the steps after translation refuse (the use case suspended or not active, or not granted to the app) fetches nothing.
/// </summary>
public sealed class ClinicalTaskFhirServerMixupTests
{
    private const string UseCase = "ehr-chart";

    [Theory]
    [InlineData("""{"resourceType":"Patient","id":"999"}""", """{"resourceType":"Bundle","type":"searchset","entry":[]}""")]
    [InlineData("""{"resourceType":"Patient","id":"123"}""", """{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"HIV viral load"},"subject":{"reference":"Patient/999"}}}]}""")]
    public async Task Invoke_ServerSendsAnotherPatientsData_502AndNothingSent(string patient, string search)
    {
        await using var ehr = await FakeFhirServer.StartAsync(patient, search);
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        await using var host = await StartAsync(vendor, ehr.Server);
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, """{"patient": "123"}""", contentType: "application/json");

        Assert.Equal(502, call.Status);
        Assert.Contains("another patient", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("HIV", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task Invoke_ServerSendsThePatientsOwnData_200()
    {
        await using var ehr = await FakeFhirServer.StartAsync(
            """{"resourceType":"Patient","id":"123","birthDate":"1950-01-01"}""",
            """{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"HbA1c"},"subject":{"reference":"Patient/123"}}}]}""");
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Fine."));
        await using var host = await StartAsync(vendor, ehr.Server);
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, """{"patient": "123"}""", contentType: "application/json");

        Assert.Equal(200, call.Status);
        Assert.Equal(1, vendor.CallCount);
    }

    [Theory]
    [InlineData("suspended", true, "use_case_suspended")]
    [InlineData("approved", true, "use_case_not_active")]
    [InlineData("active", false, "use_case_not_granted")]
    public async Task Invoke_CallTheStepsAfterwardRefuse_403AndNothingFetched(string status, bool granted, string code)
    {
        await using var ehr = await FakeFhirServer.StartAsync(
            """{"resourceType":"Patient","id":"123"}""", """{"resourceType":"Bundle","type":"searchset","entry":[]}""");
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        await using var host = await StartAsync(vendor, ehr.Server, status, granted);
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, """{"patient": "123"}""", contentType: "application/json");

        Assert.Equal(403, call.Status);
        Assert.Contains(code, call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, ehr.Fetches);
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task Invoke_UseCaseWithoutTemplate_400AndNothingFetched()
    {
        // A FhirContext on a use case that names no prompt template: the call cannot be answered, so the server is not
        // asked, and a patient the server lacks does not turn the refusal into a 404.
        await using var ehr = await FakeFhirServer.StartAsync(
            """{"resourceType":"Patient","id":"123"}""", """{"resourceType":"Bundle","type":"searchset","entry":[]}""");
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("unused"));
        await using var host = await StartAsync(vendor, ehr.Server, template: false);
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, """{"patient": "123"}""", contentType: "application/json");

        Assert.Equal(400, call.Status);
        Assert.Contains("use_case_has_no_template", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, ehr.Fetches);
        Assert.Equal(0, vendor.CallCount);
    }

    private static Task<GatewayHost> StartAsync(
        FakeVendor vendor, string fhirServer, string status = "active", bool granted = true, bool template = true) => GatewayHost.StartAsync(configuration =>
    {
        vendor.Configure(configuration);
        configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
        var useCase = configuration.AddUseCase(UseCase, GatewayHost.UseCase("Chart summary from the EHR", 2, status, "vendor"), granted ? ["test-app"] : []);
        if (template)
        {
            useCase["PromptTemplate"] = new JsonObject { ["Id"] = "chart-summary", ["Version"] = "1" };
        }

        configuration["ClinicalTasks"] = new JsonObject
        {
            ["FhirContext"] = new JsonObject
            {
                [UseCase] = new JsonObject
                {
                    ["FhirServer"] = fhirServer,
                    ["Queries"] = new JsonArray("Patient/{{patientId}}", "Observation?subject=Patient/{{patientId}}&_count=5"),
                },
            },
        };
    });
}

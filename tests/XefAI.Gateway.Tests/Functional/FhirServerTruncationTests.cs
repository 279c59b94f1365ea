using System.Text.Json.Nodes;
using XefAI.Gateway.Tests.CdsHooks;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A FHIR server with more than the fetch limits let through (hostile testing, round 27): the client marked the fetch
/// truncated, but the mark was dropped, so the answer read as if written from the whole chart. It is now a
/// <c>truncated</c> data warning in the result, its header and the record, for a patient-id invoke and a CDS hook.
/// </summary>
public sealed class FhirServerTruncationTests
{
    private const string UseCase = "ehr-chart";
    private const string Service = "ehr-chart-review";

    private const string ThreeObservations = """
        {"resourceType":"Bundle","type":"searchset","entry":[
          {"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"HbA1c"},"subject":{"reference":"Patient/123"}}},
          {"resource":{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"LDL"},"subject":{"reference":"Patient/123"}}},
          {"resource":{"resourceType":"Observation","id":"o3","status":"final","code":{"text":"eGFR"},"subject":{"reference":"Patient/123"}}}]}
        """;

    [Fact]
    public async Task Invoke_SearchOverMaxEntries_AnswersWithATruncatedWarningOnTheResultHeaderAndRecord()
    {
        await using var ehr = await FakeFhirServer.StartAsync("""{"resourceType":"Patient","id":"123"}""", ThreeObservations);
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Summary."));
        await using var host = await StartAsync(vendor, ehr.Server);
        using var client = host.CreateClient();

        var call = await client.PostInvokeAsync(UseCase, """{"patient": "123"}""", contentType: "application/json");

        Assert.Equal(200, call.Status);
        var warning = Assert.Single(call.Json["warnings"]!.AsArray(), w => (string?)w!["code"] == "truncated")!;
        Assert.Equal("ClinicalTasks.FhirContext.Queries[1]", (string?)warning["path"]);
        Assert.Equal("1", call.Header("X-XefAI-Data-Warnings"));
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Contains("fhir_warnings:truncated", (string?)record["reasons"], StringComparison.Ordinal);
        Assert.DoesNotContain("eGFR", vendor.LastRequestBody.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CdsHook_FetchedSearchOverMaxEntries_RecordsATruncatedWarningNamingThePrefetchKey()
    {
        await using var ehr = await FakeFhirServer.StartAsync("""{"resourceType":"Patient","id":"123"}""", ThreeObservations);
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Chart reviewed."));
        await using var host = await StartAsync(vendor, ehr.Server);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{Service}", CdsChartReview.Request(ehr.Server));

        Assert.Equal(200, call.Status);
        Assert.Equal("1", call.Header("X-XefAI-Data-Warnings"));
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Contains("fhir_warnings:truncated", (string?)record["reasons"], StringComparison.Ordinal);
    }

    private static Task<GatewayHost> StartAsync(FakeVendor vendor, string fhirServer) => GatewayHost.StartAsync(configuration =>
    {
        vendor.Configure(configuration);
        configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
        configuration["Data"]!["FhirServer"] = new JsonObject { ["MaxEntries"] = 2 };
        var useCase = configuration.AddUseCase(UseCase, GatewayHost.UseCase("Chart summary from the EHR", 2, "active", "vendor"), "test-app");
        useCase["PromptTemplate"] = new JsonObject { ["Id"] = "chart-summary", ["Version"] = "1" };
        configuration["ClinicalTasks"] = new JsonObject
        {
            ["FhirContext"] = new JsonObject
            {
                [UseCase] = new JsonObject
                {
                    ["FhirServer"] = fhirServer,
                    ["Queries"] = new JsonArray("Patient/{{patientId}}", "Observation?subject=Patient/{{patientId}}"),
                },
            },
        };
        configuration["CdsHooks"] = new JsonObject
        {
            ["Services"] = new JsonObject
            {
                [Service] = new JsonObject
                {
                    ["UseCase"] = UseCase,
                    ["Hook"] = "patient-view",
                    ["Title"] = "Chart review",
                    ["Description"] = "Summarizes the chart when a clinician opens it.",
                    ["Prefetch"] = new JsonObject
                    {
                        ["patient"] = "Patient/{{context.patientId}}",
                        ["observations"] = "Observation?subject=Patient/{{context.patientId}}",
                    },
                },
            },
        };
    });
}

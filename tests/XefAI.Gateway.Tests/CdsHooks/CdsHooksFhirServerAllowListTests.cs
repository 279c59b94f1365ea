using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using XefAI.Gateway.CdsHooks;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// <c>CdsHooks:FhirServers</c>: a hook's <c>fhirServer</c> outside the operator's list is refused before anything is
/// fetched (hostile testing, round 17: any app key could make the gateway send its requests, and the bearer token it
/// was given, to a host no configuration named).
/// </summary>
public sealed class CdsHooksFhirServerAllowListTests
{
    private const string Service = "fhir-chart-review";

    [Theory]
    [InlineData(null, 200)]
    [InlineData("{server}", 200)]
    [InlineData("{origin}", 200)]
    [InlineData("{origin}/fhir/", 200)]
    [InlineData("{origin}/fhir-admin", 400)]
    [InlineData("{origin}/fhir/R4", 400)]
    [InlineData("http://127.0.0.1:1/fhir", 400)]
    [InlineData("https://ehr.example.org/fhir", 400)]
    public async Task Call_FhirServerAgainstTheList_FetchedOnlyWhenListed(string? entry, int expected)
    {
        var fetches = 0;
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        await using var ehr = builder.Build();
        ehr.MapGet("/fhir/Patient/{id}", (string id) =>
        {
            Interlocked.Increment(ref fetches);
            return Results.Text($$"""{"resourceType":"Patient","id":"{{id}}"}""", "application/fhir+json");
        });
        await ehr.StartAsync();
        var origin = ehr.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = origin + "/fhir";
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Chart reviewed."));
        await using var host = await GatewayHost.StartAsync(configuration =>
        {
            vendor.Configure(configuration);
            configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
            var useCase = configuration.AddUseCase("fhir-chart", GatewayHost.UseCase("Chart review from the EHR", 2, "active", "vendor"), "test-app");
            useCase["PromptTemplate"] = new JsonObject { ["Id"] = "chart-summary", ["Version"] = "1" };
            configuration["CdsHooks"] = new JsonObject
            {
                ["FhirServers"] = entry is null ? new JsonArray() : new JsonArray(entry.Replace("{server}", server).Replace("{origin}", origin)),
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
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{Service}", new JsonObject
        {
            ["hook"] = "patient-view",
            ["hookInstance"] = Guid.NewGuid().ToString(),
            ["fhirServer"] = server,
            ["fhirAuthorization"] = new JsonObject
            {
                ["access_token"] = "ehr-token-1",
                ["token_type"] = "Bearer",
                ["expires_in"] = 300,
                ["scope"] = "patient/*.read",
                ["subject"] = "cds-service",
            },
            ["context"] = new JsonObject { ["userId"] = "Practitioner/123", ["patientId"] = "123" },
        }.ToJsonString());

        Assert.Equal(expected, call.Status);
        Assert.Equal(expected == 200 ? 1 : 0, fetches);
        if (expected == 400)
        {
            Assert.Equal("invalid_fhir_server", (string?)call.Json["error"]!["code"]);
            Assert.Contains("CdsHooks:FhirServers", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
            Assert.DoesNotContain("/fhir", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
            Assert.Equal(400, (int?)(await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!))["statusCode"]);
        }

        await ehr.StopAsync();
    }

    [Theory]
    [InlineData("https://ehr.example.org/fhir", true)]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("ftp://ehr.example.org/fhir", false)]
    [InlineData("https://user:secret@ehr.example.org/fhir", false)]
    [InlineData("https://ehr.example.org/fhir?tenant=1", false)]
    [InlineData("/fhir", false)]
    [InlineData("", false)]
    public void IsEntry_OnlyAbsoluteHttpBaseUrls(string entry, bool expected) =>
        Assert.Equal(expected, FhirServerAllowList.IsEntry(entry));

    [Fact]
    public void Allows_ComparesHostsCaseInsensitivelyAndPortsExactly()
    {
        string[] list = ["https://EHR.example.org/fhir"];

        Assert.True(FhirServerAllowList.Allows(list, new Uri("https://ehr.example.org/fhir/R4")));
        Assert.False(FhirServerAllowList.Allows(list, new Uri("https://ehr.example.org:8443/fhir")));
        Assert.False(FhirServerAllowList.Allows(list, new Uri("http://ehr.example.org/fhir")));
        Assert.False(FhirServerAllowList.Allows(list, new Uri("https://ehr.example.org.evil.test/fhir")));
    }
}

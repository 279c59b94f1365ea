using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// A hook for a use case that is not active (suspended between discovery and call; hostile testing, round 17): the
/// kill switch refuses the call, and no patient data is pulled from the EHR's FHIR server with its token for it.
/// </summary>
public sealed class CdsHooksSuspendedFetchTests
{
    private const string Service = "fhir-chart-review";

    [Theory]
    [InlineData("suspended", 403)]
    [InlineData("active", 200)]
    public async Task Call_UseCaseNotActive_RefusedWithoutFetchingFromTheFhirServer(string status, int expected)
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
        var server = ehr.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/fhir";
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Chart reviewed."));
        await using var host = await GatewayHost.StartAsync(configuration =>
        {
            vendor.Configure(configuration);
            configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
            var useCase = configuration.AddUseCase("fhir-chart", GatewayHost.UseCase("Chart review from the EHR", 2, status, "vendor"), "test-app");
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
        Assert.Equal(expected == 200 ? 1 : 0, vendor.CallCount);
        await ehr.StopAsync();
    }
}

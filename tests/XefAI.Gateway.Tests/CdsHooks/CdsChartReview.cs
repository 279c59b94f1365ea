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
/// A patient-view chart review service whose prefetch the gateway must fetch from the EHR, and a fake EHR that counts
/// what it is asked for: shared by the tests of what may and may not be fetched.
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

/// <summary>An EHR's FHIR server on loopback that answers any Patient read and counts the reads.</summary>
internal sealed class FakeEhr : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _fetches;

    private FakeEhr(WebApplication app, string origin)
    {
        _app = app;
        Origin = origin;
    }

    /// <summary>Scheme, host and port, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Origin { get; }

    /// <summary>The FHIR base URL: <see cref="Origin"/> plus <c>/fhir</c>.</summary>
    public string Server => Origin + "/fhir";

    public int Fetches => Volatile.Read(ref _fetches);

    public static async Task<FakeEhr> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeEhr? ehr = null;
        app.MapGet("/fhir/Patient/{id}", (string id) =>
        {
            Interlocked.Increment(ref ehr!._fetches);
            return Results.Text($$"""{"resourceType":"Patient","id":"{{id}}"}""", "application/fhir+json");
        });
        await app.StartAsync();
        ehr = new FakeEhr(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return ehr;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace XefAI.Gateway.Tests;

/// <summary>
/// An EHR's FHIR server on loopback that counts what it is asked for: a Patient read answers the given body (by default
/// the Patient read), an Observation search the given Bundle (by default an empty searchset).
/// </summary>
internal sealed class FakeFhirServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _fetches;

    private FakeFhirServer(WebApplication app) => _app = app;

    /// <summary>Scheme, host and port, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Origin { get; private set; } = "";

    /// <summary>The FHIR base URL: <see cref="Origin"/> plus <c>/fhir</c>.</summary>
    public string Server => Origin + "/fhir";

    public int Fetches => Volatile.Read(ref _fetches);

    public static async Task<FakeFhirServer> StartAsync(string? patient = null, string? search = null)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeFhirServer(app);
        app.MapGet("/fhir/Patient/{id}", (string id) =>
            server.Answer(patient ?? $$"""{"resourceType":"Patient","id":"{{id}}"}"""));
        app.MapGet("/fhir/Observation", () =>
            server.Answer(search ?? """{"resourceType":"Bundle","type":"searchset","entry":[]}"""));
        await app.StartAsync();
        server.Origin = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult Answer(string body)
    {
        Interlocked.Increment(ref _fetches);
        return Results.Text(body, "application/fhir+json");
    }
}

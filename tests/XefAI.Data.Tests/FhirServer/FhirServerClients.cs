using System.Net;
using Microsoft.Extensions.Options;
using XefAI.Data.FhirServer;

namespace XefAI.Data.Tests.FhirServer;

/// <summary>The FHIR server client with fixed options, as the host would build it.</summary>
internal static class FhirServerClients
{
    public static FhirServerClient Create(FhirServerOptions? options = null, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null) =>
        resolve is null
            ? new FhirServerClient(new FixedOptions(options ?? new FhirServerOptions()), TimeProvider.System)
            : new FhirServerClient(new FixedOptions(options ?? new FhirServerOptions()), TimeProvider.System, resolve);

    public static FhirServerRequest Request(string baseUrl, string? token, params string[] queries) =>
        new(new Uri(baseUrl), queries) { BearerToken = token };

    private sealed class FixedOptions(FhirServerOptions value) : IOptionsMonitor<FhirServerOptions>
    {
        public FhirServerOptions CurrentValue => value;

        public FhirServerOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<FhirServerOptions, string?> listener) => null;
    }
}

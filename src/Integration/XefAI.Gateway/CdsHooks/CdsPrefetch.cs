using XefAI.Integration;

namespace XefAI.Gateway.CdsHooks;

/// <summary>What a CDS service call lacks and must fetch from the EHR's FHIR server.</summary>
/// <param name="FhirServer">The EHR's FHIR base URL, checked by <see cref="FhirServerAddress"/>.</param>
/// <param name="AccessToken">The bearer token of <c>fhirAuthorization</c>, when the EHR gave one.</param>
/// <param name="Queries">The missing prefetch keys and their queries, tokens filled, relative to <paramref name="FhirServer"/>.</param>
internal sealed record CdsPrefetchRequest(Uri FhirServer, string? AccessToken, IReadOnlyDictionary<string, string> Queries);

/// <summary>The fetched resources by prefetch key (JSON text; null where the server has none), or why they could not be.</summary>
internal sealed record CdsPrefetchResult(IReadOnlyDictionary<string, string?>? Resources, CallError? Error)
{
    public static CdsPrefetchResult Of(IReadOnlyDictionary<string, string?> resources) => new(resources, null);

    /// <summary>The prefetch keys whose search the FHIR client cut short at its page or entry limit: the server had more.</summary>
    public IReadOnlyList<string> Truncated { get; init; } = [];

    public static CdsPrefetchResult Refuse(CallError error) => new(null, error);
}

/// <summary>
/// Fetches the prefetch a CDS client did not send from its FHIR server. The seam the Data layer's FHIR client plugs
/// into; it must not follow a redirect to another host with the token, and must answer an unreachable or erroring
/// server with a 4xx/5xx <see cref="CallError"/> naming the server, never throw for it.
/// </summary>
internal interface ICdsPrefetchFetcher
{
    Task<CdsPrefetchResult> FetchAsync(CdsPrefetchRequest request, CancellationToken cancellationToken);
}

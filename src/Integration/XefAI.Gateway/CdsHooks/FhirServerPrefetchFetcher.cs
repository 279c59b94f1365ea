using XefAI.Data;
using XefAI.Gateway.Fhir;
using XefAI.Integration;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// Fetches the prefetch a CDS client did not send from its FHIR server through the Data layer's FHIR client (bounded,
/// same-origin only, link-local and metadata addresses refused). Each key is its own fetch, so a resource the server
/// does not have (404) is simply absent, as the specification lets a prefetch key be. Failures become errors that name
/// the server and never the token, the queries or what the server sent.
/// </summary>
internal sealed class FhirServerPrefetchFetcher(IFhirServerClient client) : ICdsPrefetchFetcher
{
    public async Task<CdsPrefetchResult> FetchAsync(CdsPrefetchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var keys = request.Queries.Keys.ToList();
        var result = await FhirServerQueries.FetchEachAsync(
            client, request.FhirServer, request.AccessToken, [.. keys.Select(k => request.Queries[k])], cancellationToken);
        if (result is { MissingPatient: { } missing, Failure: { } notFound })
        {
            // The hook's patient itself unknown to the EHR's server: the context is wrong, and nothing is worth asking a model.
            return CdsPrefetchResult.Refuse(new CallError(
                StatusCodes.Status412PreconditionFailed,
                "patient_not_found",
                $"The FHIR server at {notFound.Server} has no such Patient for prefetch '{keys[missing]}'; check context.patientId.",
                "context.patientId"));
        }

        if (result.Failure is { } failure)
        {
            return CdsPrefetchResult.Refuse(ToError(failure));
        }

        return CdsPrefetchResult.Of(keys.Zip(result.Documents).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal)) with
        {
            Truncated = [.. result.Truncated.Select(i => keys[i])],
        };
    }

    /// <summary>The CallError for a failed fetch: the caller's address refused is its fault (400); the server's failures are 502.</summary>
    public static CallError ToError(FhirServerException ex) => ex.Kind switch
    {
        FhirServerErrorKind.RefusedAddress => new CallError(StatusCodes.Status400BadRequest, "fhir_server_refused", ex.Message, "fhirServer"),
        // The EHR's token, not its server, is at fault: the caller's request is invalid.
        FhirServerErrorKind.InvalidToken => CallError.InvalidRequest(
            "invalid_fhir_authorization", "'fhirAuthorization.access_token' holds a line break, space, control or non-ASCII character; nothing was fetched.", "fhirAuthorization"),
        FhirServerErrorKind.ErrorStatus when ex.StatusCode is 401 or 403 => new CallError(
            StatusCodes.Status502BadGateway, "fhir_server_unauthorized", $"{ex.Message} Check 'fhirAuthorization'.", "fhirAuthorization"),
        _ => new CallError(StatusCodes.Status502BadGateway, "fhir_server_error", ex.Message, "fhirServer"),
    };
}

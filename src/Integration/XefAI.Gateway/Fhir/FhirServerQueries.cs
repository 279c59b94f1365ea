using XefAI.Data;

namespace XefAI.Gateway.Fhir;

/// <summary>What a set of queries brought back: one document per query (null where the server has none), or why not.</summary>
/// <param name="Documents">In the queries' order; null for a resource the server does not have (404, 410).</param>
/// <param name="Failure">The server's failure, which ends the fetch.</param>
/// <param name="MissingPatient">The index of a <c>Patient/{id}</c> read the server does not have: the context names the wrong patient.</param>
internal sealed record FhirServerQueryResult(IReadOnlyList<string?> Documents, FhirServerException? Failure, int? MissingPatient)
{
    /// <summary>The indexes of the searches cut short at the FHIR client's page or entry limit: the server had more.</summary>
    public IReadOnlyList<int> Truncated { get; init; } = [];
}

/// <summary>
/// Runs prefetch-style queries against one FHIR server, each as its own bounded fetch through the Data layer's client,
/// so that a resource the server does not have is simply absent rather than failing the rest. Shared by CDS Hooks
/// prefetch and clinical tasks invoked with a patient id.
/// </summary>
internal static class FhirServerQueries
{
    public static async Task<FhirServerQueryResult> FetchEachAsync(
        IFhirServerClient client, Uri server, string? token, IReadOnlyList<string> queries, CancellationToken cancellationToken)
    {
        var documents = new List<string?>(queries.Count);
        var truncated = new List<int>();
        for (var i = 0; i < queries.Count; i++)
        {
            try
            {
                var fetched = await client.FetchAsync(new FhirServerRequest(server, [queries[i]]) { BearerToken = token }, cancellationToken);
                documents.Add(fetched.Resources.Count > 0 ? fetched.Resources[0].Json : null);
                if (fetched.Truncated)
                {
                    truncated.Add(i);
                }
            }
            catch (FhirServerException ex) when (ex is { Kind: FhirServerErrorKind.ErrorStatus, StatusCode: 404 or 410 })
            {
                if (IsPatientRead(queries[i]))
                {
                    return new FhirServerQueryResult(documents, ex, i);
                }

                documents.Add(null);
            }
            catch (FhirServerException ex)
            {
                return new FhirServerQueryResult(documents, ex, null);
            }
        }

        return new FhirServerQueryResult(documents, null, null) { Truncated = truncated };
    }

    private static bool IsPatientRead(string query) =>
        query.StartsWith("Patient/", StringComparison.Ordinal) && !query.Contains('?', StringComparison.Ordinal);
}

namespace XefAI.Data;

/// <summary>
/// Fetches clinical context from a FHIR R4 server, prefetch-style: a base URL, a bearer token and a list of relative
/// queries (<c>Patient/123</c>, <c>Observation?patient=123&amp;_count=50</c>). Fetches are bounded (timeouts, page
/// size, pages, entries), never leave the server's origin with the token, and refuse link-local and cloud metadata addresses.
/// </summary>
public interface IFhirServerClient
{
    /// <summary>Runs every query of the request, in order.</summary>
    /// <returns>One JSON document per query, ready for <see cref="IClinicalContextBuilder.Build"/>.</returns>
    /// <exception cref="FhirServerException">The server is refused, unreachable, too slow, or answers with an error or non-FHIR content.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<FhirFetchResult> FetchAsync(FhirServerRequest request, CancellationToken cancellationToken);
}

/// <summary>What to fetch from which FHIR server.</summary>
/// <remarks>A class, not a record: a record's ToString would print the token into any log that formats the request.</remarks>
public sealed class FhirServerRequest
{
    public FhirServerRequest(Uri baseUrl, IReadOnlyList<string> queries)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(queries);
        BaseUrl = baseUrl;
        Queries = queries;
    }

    /// <summary>The FHIR base, e.g. <c>https://ehr.example.org/fhir/R4</c>; absolute, http or https.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Queries relative to <see cref="BaseUrl"/>: reads (<c>Patient/123</c>) and searches (<c>Observation?patient=123</c>). PHI: never logged.</summary>
    public IReadOnlyList<string> Queries { get; }

    /// <summary>Sent as <c>Authorization: Bearer …</c> to the server's own origin only; null sends no Authorization header.</summary>
    public string? BearerToken { get; init; }

    public override string ToString() => $"FhirServerRequest {{ Server = {BaseUrl.GetLeftPart(UriPartial.Authority)}, Queries = {Queries.Count} }}";
}

/// <summary>What a fetch brought back; every value is PHI.</summary>
/// <param name="Resources">One document per query, in the request's order.</param>
public sealed record FhirFetchResult(IReadOnlyList<FhirFetchedDocument> Resources)
{
    /// <summary>The documents' JSON, as inputs for <see cref="IClinicalContextBuilder.Build"/>.</summary>
    public IReadOnlyList<string> Inputs => [.. Resources.Select(r => r.Json)];

    /// <summary>Whether any search stopped at the page or entry limit with more results left on the server.</summary>
    public bool Truncated => Resources.Any(r => r.Truncated);
}

/// <summary>The answer to one query.</summary>
/// <param name="Query">The query as requested (PHI: it may hold a patient id).</param>
/// <param name="Json">
/// The resource as the server sent it, or for a search every page's entries merged into one <c>searchset</c> Bundle.
/// </param>
/// <param name="Pages">Pages read: 1 for a read.</param>
/// <param name="Truncated">The search had more pages or entries than the limits allow; the rest was not fetched.</param>
public sealed record FhirFetchedDocument(string Query, string Json, int Pages, bool Truncated);

/// <summary>Why a FHIR server fetch failed.</summary>
public enum FhirServerErrorKind
{
    /// <summary>The address is not allowed: not http(s), link-local, a cloud metadata service, or a query leaving the base.</summary>
    RefusedAddress,

    /// <summary>The server redirected, or linked the next page, to another origin; the token was not sent there.</summary>
    RefusedRedirect,

    /// <summary>No connection could be made (DNS, refused, reset).</summary>
    Unreachable,

    /// <summary>A request, or the whole fetch, took longer than allowed.</summary>
    Timeout,

    /// <summary>The server answered with a non-success HTTP status (<see cref="FhirServerException.StatusCode"/>).</summary>
    ErrorStatus,

    /// <summary>A page was larger than allowed.</summary>
    TooLarge,

    /// <summary>The answer was not FHIR JSON.</summary>
    NotFhir,

    /// <summary>
    /// The bearer token holds a character an HTTP header cannot carry (a line break, a space, a control or non-ASCII
    /// character); nothing was sent.
    /// </summary>
    InvalidToken,
}

/// <summary>
/// A FHIR server fetch failed. The message names the server (scheme, host and port) and what went wrong; it never holds
/// the token, the queries (they name patients) or anything the server sent.
/// </summary>
public sealed class FhirServerException : Exception
{
    public FhirServerException()
    {
        Server = "";
    }

    public FhirServerException(string message)
        : base(message)
    {
        Server = "";
    }

    public FhirServerException(string message, Exception innerException)
        : base(message, innerException)
    {
        Server = "";
    }

    public FhirServerException(FhirServerErrorKind kind, string server, string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Server = server;
        StatusCode = statusCode;
    }

    public FhirServerErrorKind Kind { get; }

    /// <summary>The server's origin, e.g. <c>https://ehr.example.org:443</c>.</summary>
    public string Server { get; }

    /// <summary>The HTTP status the server answered with, for <see cref="FhirServerErrorKind.ErrorStatus"/>.</summary>
    public int? StatusCode { get; }
}

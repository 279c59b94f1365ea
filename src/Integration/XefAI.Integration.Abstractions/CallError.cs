using Microsoft.AspNetCore.Http;

namespace XefAI.Integration;

/// <summary>
/// Why the gateway did not answer a call, in no protocol's shape: each protocol adapter writes it in its own
/// (OpenAI error JSON, FHIR OperationOutcome, CDS Hooks status), so the pipeline never knows which way a call came in.
/// </summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="Code">Machine-readable code; also the audit reason.</param>
/// <param name="Message">What went wrong and what to do, for a developer.</param>
/// <param name="Param">The request field at fault, when there is one.</param>
public sealed record CallError(int StatusCode, string Code, string Message, string? Param = null)
{
    /// <summary>Sent as <c>Retry-After</c>, when waiting will help (rate limits).</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static CallError InvalidRequest(string code, string message, string? param = null) =>
        new(StatusCodes.Status400BadRequest, code, message, param);

    public static CallError Unauthenticated(string message) =>
        new(StatusCodes.Status401Unauthorized, "invalid_api_key", message);

    public static CallError Forbidden(string code, string message) =>
        new(StatusCodes.Status403Forbidden, code, message);

    public static CallError NotFound(string code, string message, string? param = null) =>
        new(StatusCodes.Status404NotFound, code, message, param);

    public static CallError Unavailable(string code, string message) =>
        new(StatusCodes.Status503ServiceUnavailable, code, message);

    public static CallError ClientClosed(string message) => new(499, "client_closed", message);
}

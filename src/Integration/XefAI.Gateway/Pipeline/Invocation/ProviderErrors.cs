using XefAI.Integration;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>Errors the client gets when no provider could answer.</summary>
internal static class ProviderErrors
{
    public static CallError BadGateway(string code, string message) =>
        new(StatusCodes.Status502BadGateway, code, message);

    /// <summary>Every attempt was rate-limited: the client backs off as it would from the vendor itself.</summary>
    public static CallError RateLimited(string message, TimeSpan? retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, "vendor_rate_limited", message)
        {
            RetryAfter = retryAfter is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1),
        };

    /// <summary>The vendor refused the request as malformed or too large; the client gets the vendor's status.</summary>
    public static CallError RejectedRequest(int status, string message) =>
        new(status, "vendor_rejected_request", message);

    public static CallError Timeout(string message) =>
        new(StatusCodes.Status504GatewayTimeout, "vendor_timeout", message);
}

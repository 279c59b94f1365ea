using System.Globalization;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline;
using XefAI.Integration;

namespace XefAI.Gateway.Security;

/// <summary>
/// The one answer every route gives a request without a valid key: reported to
/// <see cref="AuthenticationFailures"/> (counted, audited in aggregate, limited per address) and answered
/// with 401, or 429 and Retry-After once the address is over its limit, in the route's own error shape.
/// </summary>
internal static class UnauthenticatedRequests
{
    public const string ThrottledCode = "too_many_unauthenticated_requests";

    private const string FhirJson = "application/fhir+json";

    /// <summary>The refusal of a request to an app route; the caller writes it, or returns it as a result.</summary>
    /// <param name="traceId">The trace id the route already answers with, when it has one.</param>
    public static CallError RefuseClient(this HttpContext context, string route, string? traceId = null)
    {
        var missing = !HasBearerKey(context.Request);
        var refusal = Report(context, route, missing ? AuthFailureKinds.MissingKey : AuthFailureKinds.InvalidKey, traceId);
        return refusal.Throttled
            ? Throttled(refusal.RetryAfter)
            : CallError.Unauthenticated(missing
                ? "No API key: send your app's key as 'Authorization: Bearer <key>'."
                : "The API key is not valid for this gateway; send your app's key as 'Authorization: Bearer <key>'.");
    }

    /// <summary>
    /// The refusal of a bearer JWT (a CDS client's): counted like a wrong key, answered 401 <c>invalid_token</c> with
    /// RFC 6750's <c>WWW-Authenticate</c> challenge and the reason, which is the gateway's own fixed text.
    /// </summary>
    public static CallError RefuseClientToken(this HttpContext context, string route, string reason)
    {
        var refusal = Report(context, route, AuthFailureKinds.InvalidToken, null);
        if (refusal.Throttled)
        {
            return Throttled(refusal.RetryAfter);
        }

        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{reason.Replace('"', '\'')}\"";
        return new CallError(StatusCodes.Status401Unauthorized, AuthFailureKinds.InvalidToken, $"The client token is refused: {reason}.");
    }

    /// <summary>Writes the refusal of a request to an admin route: OpenAI's error shape, or an OperationOutcome under /fhir.</summary>
    public static Task RefuseAdminAsync(this HttpContext context, string route)
    {
        var refusal = Report(
            context, route, HasBearerKey(context.Request) ? AuthFailureKinds.InvalidAdminKey : AuthFailureKinds.MissingKey, null);
        var error = refusal.Throttled
            ? Throttled(refusal.RetryAfter)
            : CallError.Unauthenticated("The admin API needs an admin key: 'Authorization: Bearer <admin key>'.");
        return route == AuthRoutes.Fhir ? WriteOperationOutcomeAsync(context.Response, error) : error.WriteAsync(context.Response);
    }

    /// <summary>An <see cref="CallError"/> as a minimal-API result, for routes that answer with <see cref="IResult"/>.</summary>
    public static IResult AsResult(this CallError error) => new ErrorResult(error);

    private static AuthRefusal Report(HttpContext context, string route, string kind, string? traceId)
    {
        traceId ??= GatewayHeaders.ResolveTraceId(context);
        GatewayHeaders.SetTraceId(context.Response, traceId);
        return context.RequestServices.GetRequiredService<AuthenticationFailures>().Refuse(
            RefusedRequests.AddressOf(context.Connection.RemoteIpAddress),
            route,
            kind,
            RefusedRequests.Sample(context.Request.Method, context.Request.Path),
            traceId);
    }

    /// <summary>A key was offered at all: a wrong key is worth telling apart from none in the audit trail.</summary>
    private static bool HasBearerKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.AsSpan(7).Trim().Length > 0;
    }

    private static CallError Throttled(TimeSpan retryAfter) => new(
        StatusCodes.Status429TooManyRequests,
        ThrottledCode,
        $"Too many requests without a valid key from this address; retry after {RetrySeconds(retryAfter)} s, with a valid key as 'Authorization: Bearer <key>'.")
    {
        RetryAfter = retryAfter,
    };

    private static string RetrySeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>FHIR clients read OperationOutcome: <c>login</c> for a missing or wrong key, <c>throttled</c> for the limit.</summary>
    private static Task WriteOperationOutcomeAsync(HttpResponse response, CallError error)
    {
        response.StatusCode = error.StatusCode;
        GatewayHeaders.SetRetryAfter(response, error.RetryAfter);

        var code = error.StatusCode == StatusCodes.Status429TooManyRequests ? "throttled" : "login";
        return response.WriteAsJsonAsync(
            new { resourceType = "OperationOutcome", issue = new[] { new { severity = "error", code, diagnostics = error.Message } } },
            (System.Text.Json.JsonSerializerOptions?)null,
            FhirJson);
    }

    private sealed class ErrorResult(CallError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => error.WriteAsync(httpContext.Response);
    }
}

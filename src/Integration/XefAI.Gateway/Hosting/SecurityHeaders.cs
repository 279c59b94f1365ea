using XefAI.Gateway.Pipeline;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Headers that keep answers out of caches, frames and content sniffing. Every response can hold PHI or a
/// key-bearing error (ingress plugins map paths of their own), so all of them get the same set. Every response also
/// carries its trace id (<c>X-XefAI-Trace-Id</c> and <c>x-request-id</c>): governed calls set it themselves, and any
/// other answer (admin, FHIR, reviews, discovery, probes, a 404 or 405) gets it here.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>A year, as browsers and the HSTS preload list expect.</summary>
    public const string StrictTransportSecurity = "max-age=31536000; includeSubDomains";

    /// <summary>
    /// Registers the headers first of all middleware. They are set as the response starts, so error pages
    /// (which clear the response), 401s, 404s, 413s, 500s and streams carry them too.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(Apply, context);
        return next(context);
    });

    private static Task Apply(object state)
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "frame-ancestors 'none'";

        // One lookup on the governed path, which has set it already; the id is resolved only where nothing set it.
        GatewayHeaders.EnsureTraceId(context);

        // Only over HTTPS: a browser ignores it on plain HTTP, and it must not pin a host that serves no TLS.
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = StrictTransportSecurity;
        }

        return Task.CompletedTask;
    }
}

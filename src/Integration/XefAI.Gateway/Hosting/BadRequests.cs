using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline;
using XefAI.Integration;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// A request Kestrel refuses while it is being read (a body arriving slower than MinRequestBodyDataRate, a
/// malformed body) is the client's fault: one warning line, not the exception handler's error with a stack trace.
/// </summary>
internal static partial class BadRequests
{
    /// <summary>Registers the handling just inside the exception handler, so it sees these exceptions first.</summary>
    public static IApplicationBuilder UseBadRequestAnswers(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("XefAI.Gateway.BadRequests");
        return app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException ex)
            {
                var timedOut = ex.StatusCode == StatusCodes.Status408RequestTimeout;
                // The route's pattern, never the path: a path names what the caller put in it (a review, a use case, a
                // patient in a mistyped URL), and this line is written at the default level.
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
                LogRefused(logger, context.Request.Method, route, ex.StatusCode, ex.Message);
                if (context.Response.HasStarted)
                {
                    // Kestrel closes the connection; nothing more can be said to this client.
                    return;
                }

                context.Response.Clear();
                GatewayHeaders.SetTraceId(context.Response, GatewayHeaders.ResolveTraceId(context));
                var error = timedOut
                    ? new CallError(ex.StatusCode, "request_body_timeout", "The request body arrived too slowly; send it at a steady rate.")
                    : new CallError(ex.StatusCode, "bad_request", "The HTTP request is malformed.");
                await error.WriteAsync(context.Response);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {Method} {Route} refused with {Status} while it was read: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string route, int status, string reason);
}

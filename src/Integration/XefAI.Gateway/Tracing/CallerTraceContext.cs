using System.Diagnostics;
using OpenTelemetry;

namespace XefAI.Gateway.Tracing;

/// <summary>
/// Keeps of the caller's trace context only its <c>traceparent</c>. ASP.NET Core (and OpenTelemetry's instrumentation)
/// take the caller's <c>tracestate</c> and <c>baggage</c> into the request's activity, from where they would be exported
/// with its spans and sent on to the model vendor with every outgoing request: free text a careless caller may fill with
/// a patient's name. The trace stays joined; the rest is dropped before any step runs.
/// </summary>
internal static class CallerTraceContext
{
    public static IApplicationBuilder UseCallerTraceParentOnly(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        var headers = context.Request.Headers;
        if (headers.ContainsKey("tracestate") || headers.ContainsKey("baggage") || headers.ContainsKey("Correlation-Context"))
        {
            Drop(Activity.Current);
        }

        return next(context);
    });

    private static void Drop(Activity? activity)
    {
        if (activity is not null)
        {
            activity.TraceStateString = null;
            foreach (var key in activity.Baggage.Select(b => b.Key).ToList())
            {
                activity.SetBaggage(key, null);
            }
        }

        // OpenTelemetry's own baggage, which its HttpClient instrumentation would inject.
        Baggage.Current = default;
    }
}

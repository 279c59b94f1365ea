using System.Diagnostics.CodeAnalysis;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Security;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Authenticate: the client app's API key names the app and the use cases it is granted; so does a token the way in
/// verified before the call (a CDS client's JWT, <see cref="TokenAuthenticatedClient"/>), for the app it counts as in
/// this call's configuration. A keyless or wrong key is counted in aggregate (one record per keyless request would let
/// anyone fill the audit store), and throttled.
/// </summary>
internal sealed class AuthenticateStep : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        if (TryGetCaller(call.HttpContext, call.Config, out var app))
        {
            call.App = app;
        }
        else
        {
            call.Error = call.HttpContext.RefuseClient(call.Adapter.Route, call.TraceId);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The configured app a request comes from: the EHR a CDS client token named, or the app whose key is the bearer.
    /// Adapters that must not act for a call the next steps refuse (a FHIR fetch) ask the same question.
    /// </summary>
    public static bool TryGetCaller(HttpContext httpContext, GatewaySnapshot config, [NotNullWhen(true)] out ClientApp? app) =>
        httpContext.Features.Get<TokenAuthenticatedClient>() is { } verified
            ? config.Keys.TryGetClient(verified.App, out app)
            : config.Keys.TryAuthenticateClient(httpContext.Request.Headers.Authorization, out app);
}

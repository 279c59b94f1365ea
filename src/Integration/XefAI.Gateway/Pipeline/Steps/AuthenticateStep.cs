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
        var verified = call.HttpContext.Features.Get<TokenAuthenticatedClient>();
        if (verified is not null
            ? call.Config.Keys.TryGetClient(verified.App, out var app)
            : call.Config.Keys.TryAuthenticateClient(call.HttpContext.Request.Headers.Authorization, out app))
        {
            call.App = app;
        }
        else
        {
            call.Error = call.HttpContext.RefuseClient(call.Adapter.Route, call.TraceId);
        }

        return ValueTask.CompletedTask;
    }
}

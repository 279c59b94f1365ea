using XefAI.Gateway.Security;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Authenticate: the client app's API key names the app and the use cases it is granted. A keyless or wrong key is
/// counted in aggregate (one record per keyless request would let anyone fill the audit store), and throttled.
/// </summary>
internal sealed class AuthenticateStep : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        if (call.Config.Keys.TryAuthenticateClient(call.HttpContext.Request.Headers.Authorization, out var app))
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

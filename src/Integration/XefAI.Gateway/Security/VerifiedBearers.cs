using System.Diagnostics.CodeAnalysis;

namespace XefAI.Gateway.Security;

/// <summary>
/// A request authenticated by a bearer token rather than an app key (a CDS client's JWT), as an HTTP feature: the app
/// it counts as, for middleware that runs around the endpoint (the access audit).
/// </summary>
/// <param name="App">The configured gateway app.</param>
/// <param name="Client">The configured client (e.g. the EHR's name in <c>CdsHooks:Clients</c>).</param>
internal sealed record TokenAuthenticatedClient(string App, string Client);

/// <summary>
/// Bearer tokens verified by an endpoint before it hands the request to the governed pipeline, so the pipeline's
/// authenticate step (which asks <see cref="ApiKeyDirectory"/> about the <c>Authorization</c> header) takes the app
/// the token was verified for. Held for the request's own asynchronous flow only: nothing outlives the call, and no
/// other request can see it.
/// </summary>
internal static class VerifiedBearers
{
    private static readonly AsyncLocal<Verified?> InFlight = new();

    /// <summary>From now until the scope is disposed, <paramref name="bearer"/> authenticates as <paramref name="appId"/> in this flow.</summary>
    public static Scope Enter(string bearer, string appId)
    {
        InFlight.Value = new Verified(bearer, appId);
        return default;
    }

    /// <summary>The app verified for exactly this <c>Authorization</c> header's bearer in this flow, if any.</summary>
    public static bool TryGetApp(string? authorization, [NotNullWhen(true)] out string? appId)
    {
        appId = null;
        const string Scheme = "Bearer ";
        if (InFlight.Value is not { } verified || authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || !authorization.AsSpan(Scheme.Length).Trim().SequenceEqual(verified.Bearer))
        {
            return false;
        }

        appId = verified.AppId;
        return true;
    }

    /// <summary>Ends the verification's validity in this flow.</summary>
    internal readonly struct Scope : IDisposable
    {
        public void Dispose() => InFlight.Value = null;
    }

    private sealed record Verified(string Bearer, string AppId);
}

namespace XefAI.Gateway.Security;

/// <summary>
/// A request authenticated by a bearer token rather than an app key (a CDS client's JWT, verified by the way in before
/// the call), as an HTTP feature: the app it counts as, for the pipeline's authenticate step and for middleware that
/// runs around the endpoint (the access audit). Only server code sets features, so a client cannot claim one.
/// </summary>
/// <param name="App">The configured gateway app.</param>
/// <param name="Client">The configured client (e.g. the EHR's name in <c>CdsHooks:Clients</c>).</param>
internal sealed record TokenAuthenticatedClient(string App, string Client);

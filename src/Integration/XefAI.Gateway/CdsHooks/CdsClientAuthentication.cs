using System.Diagnostics.CodeAnalysis;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Security;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// Who is calling a CDS Hooks endpoint: an app by its key, as on every endpoint, or an EHR by the JWT the specification
/// has it sign (<see cref="CdsClientTokens"/>). A bearer that is not a valid key but looks like a JWT is judged as one,
/// and refused as <c>invalid_token</c> with the reason; refusals of either kind are counted with the other refused keys.
/// </summary>
internal sealed class CdsClientAuthentication(CdsClientTokens tokens)
{
    private const string Scheme = "Bearer ";

    /// <summary>The bearer of the request when it is a JWT and not a configured app key, which the key path judges as before.</summary>
    public static bool TryGetToken(HttpRequest request, ApiKeyDirectory keys, [NotNullWhen(true)] out string? token)
    {
        token = null;
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var bearer = authorization.AsSpan(Scheme.Length).Trim();
        if (!CdsClientTokens.LooksLikeJwt(bearer) || keys.TryAuthenticateClient(authorization, out _))
        {
            return false;
        }

        token = bearer.ToString();
        return true;
    }

    /// <summary>
    /// Verifies the request's JWT: the app it counts as, or null once the refusal (401 <c>invalid_token</c>, or 429 for
    /// an address over its limit of refused requests) is written in the CDS error shape.
    /// </summary>
    public async ValueTask<ClientApp?> VerifyAsync(HttpContext context, GatewaySnapshot config, string token)
    {
        var audience = CdsClientTokens.AudienceOf(context.Request, config.CdsHooks.PublicBaseUrl);
        var verdict = await tokens.ValidateAsync(token, audience, config.CdsHooks, context.RequestAborted);
        if (verdict.Client is not { } client)
        {
            await CdsFeedback.Write(context, context.RefuseClientToken(AuthRoutes.CdsHooks, verdict.Reason!));
            return null;
        }

        if (!config.Keys.TryGetClient(client.App, out var app))
        {
            // Start-up and reload refuse such a configuration; a token verified just before a reload may still meet it.
            await CdsFeedback.Write(context, context.RefuseClientToken(AuthRoutes.CdsHooks, "the app the client counts as is not configured"));
            return null;
        }

        context.Features.Set(new TokenAuthenticatedClient(app.Id, client.Client));
        return app;
    }

    /// <summary>The calling app by key or JWT, or null once the refusal is written.</summary>
    public async ValueTask<ClientApp?> AuthenticateAsync(HttpContext context, GatewaySnapshot config)
    {
        if (TryGetToken(context.Request, config.Keys, out var token))
        {
            return await VerifyAsync(context, config, token);
        }

        if (config.Keys.TryAuthenticateClient(context.Request.Headers.Authorization, out var app))
        {
            return app;
        }

        await CdsFeedback.Write(context, context.RefuseClient(AuthRoutes.CdsHooks));
        return null;
    }
}

using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.CdsHooks;

/// <summary>A CDS client whose token was accepted: the configured EHR and the gateway app its calls count as.</summary>
internal sealed record CdsClientIdentity(string Client, string Issuer, string App);

/// <summary>A token's verdict: the client it authenticates, or why it is refused (fixed text, never from the token).</summary>
internal readonly record struct CdsTokenVerdict(CdsClientIdentity? Client, string? Reason)
{
    public static CdsTokenVerdict Refused(string reason) => new(null, reason);
}

/// <summary>
/// CDS Hooks 2.0 client authentication: the EHR's <c>Authorization: Bearer</c> JWT, signed with its private key. A
/// token is accepted when it is signed with an asymmetric algorithm of <see cref="Algorithms"/> by a key of the
/// trusted issuer it names (from its configured JWK Set URL, which a <c>jku</c> header may only repeat, or from its
/// inline keys), is meant for the URL called (<c>aud</c>), is current (<c>exp</c>, <c>iat</c>, at most five minutes
/// apart), and its <c>jti</c> was not used before.
/// </summary>
/// <param name="replays">This process's accepted ids: the first check, with no I/O.</param>
/// <param name="shared">
/// The accepted ids every replica sharing the governance state store sees, checked after <paramref name="replays"/>
/// accepts; null keeps the check in this process only.
/// </param>
internal sealed class CdsClientTokens(CdsJwksCache jwks, CdsTokenReplays replays, TimeProvider time, ITokenReplayStore? shared = null)
{
    /// <summary>RSA and ECDSA signatures; never <c>none</c>, never HMAC (whose key a verifier would have to share).</summary>
    public static readonly FrozenSet<string> Algorithms = FrozenSet.Create(
        StringComparer.Ordinal,
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512);

    /// <summary>The specification's longest life of a token, from <c>iat</c> to <c>exp</c>.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    private const int MaxTokenLength = 16 * 1024;
    private const int MaxJtiLength = 256;

    private readonly JsonWebTokenHandler _handler = new();

    // A snapshot's options are never changed, so each client's inline keys are made once per snapshot, not per call.
    private readonly ConditionalWeakTable<CdsClientOptions, IReadOnlyList<SecurityKey>> _inlineKeys = [];

    /// <summary>Three base64url segments (the last may be empty, as an unsigned token's is): a JWT, not an app key.</summary>
    public static bool LooksLikeJwt(ReadOnlySpan<char> bearer)
    {
        var segments = 0;
        var length = 0;
        foreach (var c in bearer)
        {
            if (c == '.')
            {
                if (length == 0 && segments < 2)
                {
                    return false;
                }

                segments++;
                length = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            {
                length++;
            }
            else
            {
                return false;
            }
        }

        return segments == 2;
    }

    /// <summary>
    /// The URL a token for this request must name as its <c>aud</c>: the configured public base URL and the path, or
    /// else the URL the request arrived at.
    /// </summary>
    public static string AudienceOf(HttpRequest request, string? publicBaseUrl) => publicBaseUrl is { Length: > 0 }
        ? publicBaseUrl.TrimEnd('/') + request.Path.ToUriComponent()
        : $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{request.Path.ToUriComponent()}";

    public async ValueTask<CdsTokenVerdict> ValidateAsync(string token, string audience, CdsHooksOptions options, CancellationToken cancellationToken)
    {
        if (token.Length > MaxTokenLength)
        {
            return CdsTokenVerdict.Refused("the token is too long");
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return CdsTokenVerdict.Refused("the token is not a well-formed JWT");
        }

        if (!Algorithms.Contains(jwt.Alg ?? string.Empty))
        {
            return CdsTokenVerdict.Refused("the token's alg is not accepted; sign with RS384 or ES384 (RS256, RS512, ES256 and ES512 are accepted too)");
        }

        var issuer = jwt.Issuer;
        var (name, client) = options.Clients.FirstOrDefault(c => c.Value?.Issuer is { } configured && configured == issuer);
        if (client?.App is null || string.IsNullOrEmpty(issuer))
        {
            return CdsTokenVerdict.Refused("the token's iss is not a trusted CDS client");
        }

        var keys = await KeysAsync(jwt, client, cancellationToken);
        if (keys.Reason is { } keyProblem)
        {
            return CdsTokenVerdict.Refused(keyProblem);
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = client.Issuer,
            ValidateIssuer = true,

            // Audience and lifetime are judged below, by the gateway's clock and the specification's rules.
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidAlgorithms = Algorithms,
            IssuerSigningKeys = keys.Keys,
            TryAllIssuerSigningKeys = true,
        });
        if (!result.IsValid)
        {
            return CdsTokenVerdict.Refused(result.Exception is SecurityTokenInvalidAlgorithmException
                ? "the token's alg does not match its key"
                : "the token's signature does not verify with the issuer's keys");
        }

        if (CheckClaims(jwt, client, audience, options.ClockSkew, out var forgetAfter) is { } claimProblem)
        {
            return CdsTokenVerdict.Refused(claimProblem);
        }

        return replays.TryRecord(client.Issuer!, jwt.Id, forgetAfter) switch
        {
            CdsReplayVerdict.Recorded => await RecordSharedAsync(client.Issuer!, jwt.Id, forgetAfter, cancellationToken) is { } refused
                ? refused
                : new CdsTokenVerdict(new CdsClientIdentity(name, client.Issuer!, client.App), null),
            CdsReplayVerdict.Replayed => Replayed,
            _ => CdsTokenVerdict.Refused("too many live tokens to guard against replay; retry shortly"),
        };
    }

    private static CdsTokenVerdict Replayed => CdsTokenVerdict.Refused("the token's jti was used before; sign a new token for each call");

    /// <summary>
    /// Records the id where every replica sees it: null when this is its first use anywhere, else the refusal. A store
    /// that cannot answer refuses the token: a replay check that did not run must not pass it.
    /// </summary>
    private async ValueTask<CdsTokenVerdict?> RecordSharedAsync(string issuer, string id, DateTimeOffset forgetAfter, CancellationToken cancellationToken)
    {
        if (shared is null)
        {
            return null;
        }

        try
        {
            return await shared.TryRecordAsync(issuer, id, forgetAfter, cancellationToken) ? null : Replayed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return CdsTokenVerdict.Refused("the shared replay check is unavailable; retry shortly");
        }
    }

    private async ValueTask<(IReadOnlyList<SecurityKey> Keys, string? Reason)> KeysAsync(JsonWebToken jwt, CdsClientOptions client, CancellationToken cancellationToken)
    {
        var kid = string.IsNullOrEmpty(jwt.Kid) ? null : jwt.Kid;
        var urls = client.AllJwksUrls().ToList();
        if (jwt.TryGetHeaderValue<string>(JwtHeaderParameterNames.Jku, out var jku))
        {
            // Never fetched for what it says: only a URL the configuration already trusts for this issuer.
            if (!urls.Contains(jku, StringComparer.Ordinal))
            {
                return ([], "the token's jku is not a JWK Set URL configured for its issuer");
            }

            urls = [jku];
        }
        else if (client.Jwks?.Keys is { Count: > 0 })
        {
            var configured = _inlineKeys
                .GetValue(client, options => [.. options.Jwks!.Keys.Select(k => CdsJsonWebKeys.ToSecurityKey(CdsJsonWebKeys.FromOptions(k), out _)).OfType<SecurityKey>()])
                .Where(k => kid is null || k.KeyId == kid)
                .ToList();
            if (configured.Count > 0)
            {
                return (configured, null);
            }
        }

        var keys = new List<SecurityKey>();
        var unavailable = false;
        foreach (var url in urls)
        {
            var published = await jwks.GetKeysAsync(url, kid, cancellationToken);
            if (published is null)
            {
                unavailable = true;
                continue;
            }

            keys.AddRange(published.Where(k => kid is null || k.KeyId == kid));
        }

        return keys.Count > 0
            ? (keys, null)
            : unavailable
                ? ([], "the issuer's JWK Set could not be fetched; retry later")
                : ([], kid is null ? "the issuer publishes no usable key" : "the token's kid is not a key of its issuer");
    }

    private string? CheckClaims(JsonWebToken jwt, CdsClientOptions client, string audience, TimeSpan skew, out DateTimeOffset forgetAfter)
    {
        forgetAfter = default;
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var expSeconds)
            || !jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iatSeconds))
        {
            return "the token needs numeric exp and iat claims";
        }

        if (string.IsNullOrEmpty(jwt.Id) || jwt.Id.Length > MaxJtiLength)
        {
            return "the token needs a jti claim of at most 256 characters";
        }

        if (string.IsNullOrEmpty(jwt.Subject))
        {
            return "the token needs a sub claim: the CDS client's id";
        }

        if (client.Subject is { Length: > 0 } subject && jwt.Subject != subject)
        {
            return "the token's sub is not the client id configured for its issuer";
        }

        if (!jwt.Audiences.Any(a => SameUrl(a, audience)))
        {
            return "the token's aud is not the URL of the endpoint called";
        }

        var now = time.GetUtcNow();
        DateTimeOffset exp, iat;
        try
        {
            exp = DateTimeOffset.FromUnixTimeSeconds(expSeconds);
            iat = DateTimeOffset.FromUnixTimeSeconds(iatSeconds);
        }
        catch (ArgumentOutOfRangeException)
        {
            return "the token's exp or iat is out of range";
        }

        if (now > exp + skew)
        {
            return "the token has expired";
        }

        if (iat > now + skew)
        {
            return "the token's iat is in the future";
        }

        if (exp - iat > MaxLifetime || exp > now + MaxLifetime + skew)
        {
            return "the token lives longer than 5 minutes; its exp must be at most 5 minutes after its iat";
        }

        if (jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) > now + skew)
        {
            return "the token is not valid yet (nbf)";
        }

        forgetAfter = exp + skew;
        return null;
    }

    /// <summary>Scheme, host and port compared as URLs are (case, default port), the path exactly, a trailing slash aside.</summary>
    internal static bool SameUrl(string claimed, string expected) =>
        Normalize(claimed) is { } a && Normalize(expected) is { } b && string.Equals(a, b, StringComparison.Ordinal);

    private static string? Normalize(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/')
            : null;
}

using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using XefAI.Gateway.Configuration;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// Public JSON Web Keys (RFC 7517/7518) made into verification keys: RSA, and EC on P-256, P-384 or P-521. A key of
/// another type, a private one, or one whose numbers do not make a key is left out with the reason why.
/// </summary>
internal static class CdsJsonWebKeys
{
    /// <summary>The verification key of <paramref name="jwk"/>, or null with <paramref name="problem"/> saying why not.</summary>
    public static SecurityKey? ToSecurityKey(JsonWebKey jwk, out string? problem)
    {
        problem = null;
        if (!string.IsNullOrEmpty(jwk.D) || !string.IsNullOrEmpty(jwk.P) || !string.IsNullOrEmpty(jwk.Q))
        {
            problem = "holds private key material; only the EHR's public keys belong here";
            return null;
        }

        if (jwk.Use is { Length: > 0 } use && use != "sig")
        {
            problem = $"is for use '{use}', not 'sig'";
            return null;
        }

        try
        {
            switch (jwk.Kty)
            {
                case JsonWebAlgorithmsKeyTypes.RSA:
                    if (string.IsNullOrEmpty(jwk.N) || string.IsNullOrEmpty(jwk.E))
                    {
                        problem = "is an RSA key without 'n' and 'e'";
                        return null;
                    }

                    var modulus = Base64UrlEncoder.DecodeBytes(jwk.N);
                    if (modulus.Length * 8 < 2048 - 8)
                    {
                        problem = "is an RSA key shorter than 2048 bits";
                        return null;
                    }

                    var rsa = RSA.Create();
                    rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = Base64UrlEncoder.DecodeBytes(jwk.E) });
                    return new RsaSecurityKey(rsa) { KeyId = jwk.Kid };

                case JsonWebAlgorithmsKeyTypes.EllipticCurve:
                    var curve = jwk.Crv switch
                    {
                        JsonWebKeyECTypes.P256 => ECCurve.NamedCurves.nistP256,
                        JsonWebKeyECTypes.P384 => ECCurve.NamedCurves.nistP384,
                        JsonWebKeyECTypes.P521 => ECCurve.NamedCurves.nistP521,
                        _ => (ECCurve?)null,
                    };
                    if (curve is null || string.IsNullOrEmpty(jwk.X) || string.IsNullOrEmpty(jwk.Y))
                    {
                        problem = "is an EC key without a curve of P-256, P-384 or P-521 and its 'x' and 'y'";
                        return null;
                    }

                    // ECDsa.Create checks the point is on the curve.
                    var ecdsa = ECDsa.Create(new ECParameters
                    {
                        Curve = curve.Value,
                        Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
                    });
                    return new ECDsaSecurityKey(ecdsa) { KeyId = jwk.Kid };

                default:
                    problem = $"has key type '{jwk.Kty}'; RSA and EC keys are accepted";
                    return null;
            }
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            problem = "does not make a valid public key";
            return null;
        }
    }

    /// <summary>A key written into configuration, as the library's JWK.</summary>
    public static JsonWebKey FromOptions(CdsJwkOptions key) => new()
    {
        Kty = key.Kty,
        Kid = key.Kid,
        Alg = key.Alg,
        Use = key.Use,
        N = key.N,
        E = key.E,
        Crv = key.Crv,
        X = key.X,
        Y = key.Y,
        D = key.D,
    };
}

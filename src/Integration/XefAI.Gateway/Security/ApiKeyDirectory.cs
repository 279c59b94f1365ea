using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using XefAI.Gateway.Configuration;

namespace XefAI.Gateway.Security;

/// <summary>An authenticated client app and the use cases its key grants.</summary>
internal sealed record ClientApp(string Id, FrozenSet<string> UseCases);

/// <summary>
/// Looks up client apps and administrators by the SHA-256 of the bearer key they present. Only hashes are
/// configured, so a leaked configuration file does not leak keys.
/// </summary>
/// <remarks>
/// A directory is either one configuration snapshot's (<see cref="From"/>), never changed, or follows the snapshot in
/// force (<see cref="Following"/>) for readers outside a call, such as the admin endpoints.
/// </remarks>
internal sealed class ApiKeyDirectory
{
    private readonly Tables? _tables;
    private readonly Func<ApiKeyDirectory>? _inForce;

    private ApiKeyDirectory(Tables? tables, Func<ApiKeyDirectory>? inForce)
    {
        _tables = tables;
        _inForce = inForce;
    }

    /// <summary>The keys of one configuration.</summary>
    public static ApiKeyDirectory From(GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ApiKeyDirectory(Tables.Create(options), null);
    }

    /// <summary>The keys of whatever directory <paramref name="inForce"/> returns at each lookup.</summary>
    public static ApiKeyDirectory Following(Func<ApiKeyDirectory> inForce)
    {
        ArgumentNullException.ThrowIfNull(inForce);
        return new ApiKeyDirectory(null, inForce);
    }

    /// <summary>The app whose key is the bearer.</summary>
    public bool TryAuthenticateClient(string? authorization, [NotNullWhen(true)] out ClientApp? app)
    {
        app = null;
        Span<char> hash = stackalloc char[HashChars];
        return TryHashBearer(authorization, hash) && Current.ClientsByHash.TryGetValue(hash, out app);
    }

    /// <summary>A configured app by its id, for a client authenticated by other means than the app's key.</summary>
    public bool TryGetClient(string appId, [NotNullWhen(true)] out ClientApp? app) => Current.ClientsById.TryGetValue(appId, out app);

    public bool TryAuthenticateAdmin(string? authorization, [NotNullWhen(true)] out string? admin)
    {
        admin = null;
        Span<char> hash = stackalloc char[HashChars];
        return TryHashBearer(authorization, hash) && Current.AdminsByHash.TryGetValue(hash, out admin);
    }

    private Tables Current => _tables ?? _inForce!().Current;

    /// <summary>SHA-256 of a key, lowercase hex, as configuration stores it.</summary>
    public static string HashKey(ReadOnlySpan<char> key)
    {
        Span<char> hash = stackalloc char[HashChars];
        WriteHash(key, hash);
        return hash.ToString();
    }

    private const int HashChars = SHA256.HashSizeInBytes * 2;

    private static void WriteHash(ReadOnlySpan<char> key, Span<char> hex)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(key.Length, 256))];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], digest);
        Convert.TryToHexStringLower(digest, hex, out _);
    }

    /// <summary>Hashes the bearer key into <paramref name="hash"/> (lowercase hex) without making a string of it.</summary>
    private static bool TryHashBearer(string? authorization, Span<char> hash)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var key = authorization.AsSpan(Scheme.Length).Trim();
        if (key.IsEmpty || key.Length > 256)
        {
            return false;
        }

        WriteHash(key, hash);
        return true;
    }

    private sealed record Tables(
        FrozenDictionary<string, ClientApp> Clients, FrozenDictionary<string, ClientApp> ClientsById, FrozenDictionary<string, string> Admins)
    {
        /// <summary>Looked up by the hash as characters: a call does not make a string of its key's hash.</summary>
        public FrozenDictionary<string, ClientApp>.AlternateLookup<ReadOnlySpan<char>> ClientsByHash { get; } =
            Clients.GetAlternateLookup<ReadOnlySpan<char>>();

        public FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> AdminsByHash { get; } =
            Admins.GetAlternateLookup<ReadOnlySpan<char>>();

        public static Tables Create(GatewayOptions options)
        {
            var apps = options.Clients.ToFrozenDictionary(
                c => c.Key, c => new ClientApp(c.Key, c.Value.UseCases.ToFrozenSet(StringComparer.Ordinal)), StringComparer.Ordinal);
            return new(
                options.Clients
                    .Where(c => c.Value.ApiKeySha256 is not null)
                    .ToFrozenDictionary(c => c.Value.ApiKeySha256!.ToLowerInvariant(), c => apps[c.Key]),
                apps,
                options.Admins
                    .Where(a => a.Value.ApiKeySha256 is not null)
                    .ToFrozenDictionary(a => a.Value.ApiKeySha256!.ToLowerInvariant(), a => a.Key));
        }
    }
}

using System.Collections.Concurrent;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// The vendor URI of a destination address and a provider's relative path, built once: both come from configuration
/// (clusters, deployments), so a busy gateway asks for the same few again and again. A <see cref="Uri"/> is immutable
/// and safe to share. The cache is bounded; past its bound a URI is built per call, as it would be without it.
/// </summary>
internal static class VendorUris
{
    private const int MaxEntries = 1024;

    private static readonly ConcurrentDictionary<(string Prefix, string Path), Uri> Built = new();

    public static Uri Of(string destinationPrefix, string relativePath)
    {
        if (Built.TryGetValue((destinationPrefix, relativePath), out var uri))
        {
            return uri;
        }

        uri = new Uri(destinationPrefix.TrimEnd('/') + "/" + relativePath.TrimStart('/'));
        if (Built.Count < MaxEntries)
        {
            Built.TryAdd((destinationPrefix, relativePath), uri);
        }

        return uri;
    }
}

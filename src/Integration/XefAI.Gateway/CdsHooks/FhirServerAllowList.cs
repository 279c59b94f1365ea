namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// Whether a hook's <c>fhirServer</c> is one the operator listed in <c>CdsHooks:FhirServers</c>: same scheme, host and
/// port, and a path at or below the entry's, compared by whole segments (<c>/fhir</c> covers <c>/fhir/R4</c>, not
/// <c>/fhir-admin</c>). An empty list allows every server the address rules allow.
/// </summary>
internal static class FhirServerAllowList
{
    /// <summary>Whether a configured entry is a base URL the check can compare with.</summary>
    public static bool IsEntry(string? entry) => TryParse(entry, out _);

    private static bool TryParse(string? entry, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(entry, UriKind.Absolute, out uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    public static bool Allows(IReadOnlyList<string> entries, Uri server)
    {
        if (entries.Count == 0)
        {
            return true;
        }

        foreach (var entry in entries)
        {
            if (TryParse(entry, out var uri) && Covers(uri, server))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Covers(Uri entry, Uri server)
    {
        if (!string.Equals(entry.Scheme, server.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(entry.IdnHost, server.IdnHost, StringComparison.OrdinalIgnoreCase)
            || entry.Port != server.Port)
        {
            return false;
        }

        // Whole segments: "/fhir" covers "/fhir" and "/fhir/R4"; "/" covers everything on the origin.
        var root = entry.AbsolutePath.TrimEnd('/');
        var path = server.AbsolutePath;
        return path.StartsWith(root, StringComparison.Ordinal)
            && (path.Length == root.Length || path[root.Length] == '/');
    }
}

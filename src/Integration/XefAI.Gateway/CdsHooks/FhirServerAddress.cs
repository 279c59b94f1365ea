using System.Net;
using System.Net.Sockets;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// Checks the <c>fhirServer</c> a CDS client names before the gateway would send a bearer token to it: http or https
/// only, and never a link-local address (169.254.0.0/16, fe80::/10, where cloud metadata services answer) or a
/// metadata host name, so a request cannot turn the gateway into a way to read its own cloud credentials.
/// </summary>
internal static class FhirServerAddress
{
    private static readonly HashSet<string> MetadataHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "metadata", "metadata.google.internal", "metadata.goog", "metadata.azure.com", "instance-data", "instance-data.ec2.internal",
    };

    /// <returns>The address, or null when <paramref name="problem"/> says why it cannot be used.</returns>
    public static Uri? Check(string? value, out string? problem)
    {
        problem = null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            problem = "'fhirServer' must be an absolute http or https URL.";
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            problem = "'fhirServer' must use http or https.";
            return null;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = "'fhirServer' must not carry credentials; send the token in 'fhirAuthorization'.";
            return null;
        }

        var host = uri.IdnHost.TrimEnd('.');
        if (MetadataHosts.Contains(host))
        {
            problem = "'fhirServer' names a cloud metadata host, which the gateway never calls.";
            return null;
        }

        if (IPAddress.TryParse(uri.HostNameType == UriHostNameType.IPv6 ? host.Trim('[', ']') : host, out var address) && IsLinkLocal(address))
        {
            problem = "'fhirServer' is a link-local address (169.254.0.0/16 or fe80::/10), where metadata services answer; the gateway never calls one.";
            return null;
        }

        return uri;
    }

    private static bool IsLinkLocal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes() is [169, 254, _, _]
            : address.IsIPv6LinkLocal;
    }
}

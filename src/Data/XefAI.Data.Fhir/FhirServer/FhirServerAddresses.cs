using System.Net;
using System.Net.Sockets;

namespace XefAI.Data.FhirServer;

/// <summary>
/// Addresses a FHIR fetch never connects to: link-local networks (where cloud metadata services live) and the metadata
/// services' own names and addresses. Loopback and private networks stay allowed: an EHR is often on one.
/// </summary>
internal static class FhirServerAddresses
{
    private static readonly string[] MetadataHosts = ["metadata.google.internal", "metadata", "metadata.goog"];

    // Alibaba Cloud's metadata service sits outside link-local; AWS's IPv6 one is in a unique local range.
    private static readonly IPAddress[] MetadataAddresses = [IPAddress.Parse("100.100.100.200"), IPAddress.Parse("fd00:ec2::254")];

    /// <summary>Whether a host name, as written in a URL, names a metadata service or a refused literal address.</summary>
    public static bool IsRefusedHost(string host)
    {
        var name = host.Trim('[', ']').TrimEnd('.');
        if (IPAddress.TryParse(name, out var literal))
        {
            return IsRefused(literal);
        }

        return MetadataHosts.Any(m => string.Equals(name, m, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether an address is link-local (169.254.0.0/16, fe80::/10) or a metadata service's.</summary>
    public static bool IsRefused(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (MetadataAddresses.Any(address.Equals))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return bytes[0] == 169 && bytes[1] == 254;
        }

        return address.IsIPv6LinkLocal;
    }
}

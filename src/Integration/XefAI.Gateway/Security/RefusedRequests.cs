using System.Net;
using System.Net.Sockets;

namespace XefAI.Gateway.Security;

/// <summary>What a refused keyless request is counted and sampled by: its source address and a short, escaped sample.</summary>
internal static class RefusedRequests
{
    /// <summary>Longest request sample kept per bucket: enough to see what was probed, too short to carry a payload.</summary>
    public const int SampleLength = 128;

    /// <summary>The source address a refusal is counted for; an IPv6 client usually holds a whole /64, so that is the unit.</summary>
    public static string AddressOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>Method and path, escaped to ASCII and cut to <see cref="SampleLength"/>; never the query string, never a header.</summary>
    public static string Sample(string method, PathString path)
    {
        var raw = path.Value ?? string.Empty;
        var escaped = new PathString(raw.Length > SampleLength ? raw[..SampleLength] : raw).ToUriComponent();
        var verb = Uri.EscapeDataString(method.Length > 16 ? method[..16] : method);
        var sample = verb + " " + escaped;
        return sample.Length > SampleLength ? sample[..SampleLength] : sample;
    }
}

using System.Text.Json.Nodes;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Test vendors under a business associate agreement, for tests about something other than de-identification
/// (forwarding, resilience, streaming, routing): PHI may reach them as it is, so what they receive is what the
/// client sent, whichever de-identifier the gateway runs.
/// </summary>
internal static class CoveredVendors
{
    /// <summary>Applies <paramref name="configure"/>, then gives every vendor deployment that states no BAA one.</summary>
    public static Action<JsonObject> WithBaa(Action<JsonObject>? configure = null) => configuration =>
    {
        configure?.Invoke(configuration);
        configuration.VendorsHaveBaa();
    };

    /// <summary>Every deployment that is not in process and states no <c>Baa</c> gets <c>Baa: true</c>; a stated one stays.</summary>
    public static void VendorsHaveBaa(this JsonObject configuration)
    {
        foreach (var (_, node) in configuration["Models"]!["Deployments"]!.AsObject())
        {
            if (node is JsonObject deployment && (string?)deployment["Kind"] != "local" && deployment["Baa"] is null)
            {
                deployment["Baa"] = true;
            }
        }
    }
}

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// The CDS service a card came from, as its call's audit record says it: the reason code <c>cds_service:&lt;id&gt;</c>
/// among the record's reasons. It scopes a card to the service that gave it, for feedback and for a held card's answer.
/// </summary>
/// <remarks>
/// A service id is one URL segment of letters, digits, '-', '_' and '.' (<see cref="CdsHookRules.IsServiceId"/>), so it
/// never holds the reasons' separators.
/// </remarks>
internal static class CdsServiceReason
{
    public const string Prefix = "cds_service:";

    /// <summary>The reason naming the EHR client (<c>CdsHooks:Clients:&lt;name&gt;</c>) a signed call came from.</summary>
    public const string ClientPrefix = "cds_client:";

    public static string Of(string serviceId) => Prefix + serviceId;

    /// <summary>
    /// The service's reason and, for a call a trusted EHR signed, its client's: <c>cds_service:&lt;id&gt;;cds_client:&lt;name&gt;</c>.
    /// A client's name is a configuration key, which may hold any character but ':'; anything outside letters, digits,
    /// '-', '_' and '.' is written as '_', so it never holds the reasons' separators.
    /// </summary>
    public static string Of(string serviceId, string? client)
    {
        if (string.IsNullOrEmpty(client))
        {
            return Of(serviceId);
        }

        return string.Create(Prefix.Length + serviceId.Length + 1 + ClientPrefix.Length + client.Length, (serviceId, client), static (chars, state) =>
        {
            var at = 0;
            Prefix.CopyTo(chars);
            at += Prefix.Length;
            state.serviceId.CopyTo(chars[at..]);
            at += state.serviceId.Length;
            chars[at++] = ';';
            ClientPrefix.CopyTo(chars[at..]);
            at += ClientPrefix.Length;
            foreach (var c in state.client)
            {
                chars[at++] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_';
            }
        });
    }

    /// <summary>The service a record's reasons name, or null when they name none (a record written before services were recorded).</summary>
    public static string? Find(string? reasons)
    {
        if (string.IsNullOrEmpty(reasons))
        {
            return null;
        }

        foreach (var range in reasons.AsSpan().Split(';'))
        {
            var part = reasons.AsSpan(range);
            if (part.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return part[Prefix.Length..].ToString();
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a card of the record may be judged or fetched at <paramref name="serviceId"/>: the record names that
    /// service, or it names none (written before services were recorded) and so is judged by app and use case alone,
    /// as it was when it was written.
    /// </summary>
    public static bool IsFrom(string? reasons, string serviceId) => Find(reasons) is not { } recorded || recorded == serviceId;
}

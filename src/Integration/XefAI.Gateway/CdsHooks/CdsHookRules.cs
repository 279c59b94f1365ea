namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// What CDS Hooks 2.0 allows in a service's configuration: the hooks this gateway answers, the indicators of a card,
/// the shape of a service id and the tokens of a prefetch template.
/// </summary>
internal static class CdsHookRules
{
    /// <summary>The hooks of the CDS Hooks 2.0 hook library a service may answer.</summary>
    public static readonly IReadOnlySet<string> KnownHooks = new HashSet<string>(StringComparer.Ordinal)
    {
        "patient-view", "order-select", "order-sign", "encounter-start", "encounter-discharge", "appointment-book",
    };

    /// <summary>
    /// The context members the CDS Hooks 2.0 hook library marks required (1..1, or 1..* for <c>selections</c>), by hook.
    /// An EHR that leaves one out has sent a malformed request: without <c>patientId</c> nothing says whose chart the
    /// prefetch is, and without <c>userId</c> no one is on the record as having asked.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string Name, ContextMember Kind)[]> RequiredContext =
        new Dictionary<string, (string, ContextMember)[]>(StringComparer.Ordinal)
        {
            ["patient-view"] = [("userId", ContextMember.Text), ("patientId", ContextMember.Text)],
            ["order-select"] = [("userId", ContextMember.Text), ("patientId", ContextMember.Text), ("selections", ContextMember.TextArray), ("draftOrders", ContextMember.Bundle)],
            ["order-sign"] = [("userId", ContextMember.Text), ("patientId", ContextMember.Text), ("draftOrders", ContextMember.Bundle)],
            ["encounter-start"] = [("userId", ContextMember.Text), ("patientId", ContextMember.Text), ("encounterId", ContextMember.Text)],
            ["encounter-discharge"] = [("userId", ContextMember.Text), ("patientId", ContextMember.Text), ("encounterId", ContextMember.Text)],
            ["appointment-book"] = [("userId", ContextMember.Text), ("patientId", ContextMember.Text), ("appointments", ContextMember.Bundle)],
        };

    public static readonly IReadOnlySet<string> Indicators = new HashSet<string>(StringComparer.Ordinal) { "info", "warning", "critical" };

    /// <summary>The user-identity tokens of the specification's prefetch template language, besides <c>context.*</c>.</summary>
    public static readonly IReadOnlySet<string> UserTokens = new HashSet<string>(StringComparer.Ordinal)
    {
        "userPractitionerId", "userPractitionerRoleId", "userPatientId", "userRelatedPersonId",
    };

    private const int MaxIdLength = 64;

    /// <summary>A service id is one URL path segment: letters, digits, <c>-</c>, <c>_</c> and <c>.</c>.</summary>
    public static bool IsServiceId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && id is not ("." or "..");

    /// <summary>A prefetch key, a JSON member name an EHR can write as it is.</summary>
    public static bool IsPrefetchKey(string? key) =>
        key is { Length: > 0 and <= MaxIdLength } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Why a prefetch template is not one this gateway can fill, or null when it is.</summary>
    public static string? CheckTemplate(string? template)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return "is empty";
        }

        if (template.Contains("://", StringComparison.Ordinal) || template.StartsWith('/'))
        {
            return "must be a FHIR query relative to the EHR's FHIR server (e.g. Patient/{{context.patientId}}), not an absolute URL";
        }

        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf("{{", at, StringComparison.Ordinal);
            var close = template.IndexOf("}}", at, StringComparison.Ordinal);
            if (open < 0)
            {
                return close < 0 ? null : Unbalanced;
            }

            var end = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if ((close >= 0 && close < open) || end < 0 || template.IndexOf("{{", open + 2, end - open - 2, StringComparison.Ordinal) >= 0)
            {
                return Unbalanced;
            }

            var token = template[(open + 2)..end].Trim();
            if (!IsToken(token))
            {
                return $"uses token '{{{{{token}}}}}': only {{{{context.<name>}}}} and {{{{{string.Join("}}, {{", UserTokens.Order(StringComparer.Ordinal))}}}}} are filled";
            }

            at = end + 2;
        }

        return null;
    }

    /// <summary>
    /// A checked template with its tokens filled by <paramref name="resolve"/>, each value escaped for a URL; null when a
    /// token has no value (<paramref name="missing"/> names it), for the specification says such a prefetch is not sent.
    /// </summary>
    public static string? Render(string template, Func<string, string?> resolve, out string? missing)
    {
        missing = null;
        var rendered = new System.Text.StringBuilder(template.Length + 32);
        var at = 0;
        while (true)
        {
            var open = template.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                rendered.Append(template, at, template.Length - at);
                return rendered.ToString();
            }

            var end = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var token = template[(open + 2)..end].Trim();
            if (resolve(token) is not { Length: > 0 } value)
            {
                missing = token;
                return null;
            }

            rendered.Append(template, at, open - at).Append(Uri.EscapeDataString(value));
            at = end + 2;
        }
    }

    private const string Unbalanced = "has an unbalanced '{{' or '}}'";

    private static bool IsToken(string token) =>
        UserTokens.Contains(token)
        || (token.StartsWith("context.", StringComparison.Ordinal) && token.Length > "context.".Length
            && token["context.".Length..].All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));
}

/// <summary>What a required context member of a hook holds.</summary>
internal enum ContextMember
{
    /// <summary>A FHIR id or reference as a string.</summary>
    Text,

    /// <summary>A non-empty array of strings (<c>selections</c>).</summary>
    TextArray,

    /// <summary>A FHIR Bundle (<c>draftOrders</c>, <c>appointments</c>).</summary>
    Bundle,
}

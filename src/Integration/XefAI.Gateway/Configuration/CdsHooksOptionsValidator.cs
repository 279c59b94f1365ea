using Microsoft.Extensions.Options;
using XefAI.Gateway.CdsHooks;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// Checks the <c>CdsHooks</c> section: ids, hooks, indicators and prefetch templates, and the trusted EHRs (issuer,
/// keys, JWK Set URLs, and that the app each counts as is a configured one). Whether each service's use case exists
/// and has a prompt template is the cross-layer check's (<see cref="LayerConfigurationValidator"/>).
/// </summary>
/// <param name="configuration">
/// Where the configured apps (<c>Gateway:Clients</c>) are read from, in the same read as this section; without it
/// (unit tests of the section alone) an EHR's app is not checked.
/// </param>
internal sealed class CdsHooksOptionsValidator(IConfiguration? configuration) : IValidateOptions<CdsHooksOptions>
{
    /// <summary>Checks the section on its own, without the configured apps.</summary>
    public CdsHooksOptionsValidator()
        : this(null)
    {
    }

    public ValidateOptionsResult Validate(string? name, CdsHooksOptions options)
    {
        var errors = new List<string>();
        ValidateClients(options, errors);
        for (var i = 0; i < options.FhirServers.Count; i++)
        {
            if (!FhirServerAllowList.IsEntry(options.FhirServers[i]))
            {
                errors.Add($"{CdsHooksOptions.SectionName}:FhirServers:{i} must be an absolute http or https base URL without credentials, query or fragment (https://ehr.example.org/fhir).");
            }
        }

        foreach (var (id, service) in options.Services)
        {
            var at = $"{CdsHooksOptions.SectionName}:Services:{id}";
            if (!CdsHookRules.IsServiceId(id))
            {
                errors.Add($"{at}: a service id is one URL segment of letters, digits, '-', '_' and '.', at most 64 characters.");
            }

            if (service is null)
            {
                errors.Add($"{at} is empty: give it a UseCase, a Hook and a Description.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(service.UseCase))
            {
                errors.Add($"{at}:UseCase is required: the use case that answers the hook.");
            }

            if (service.Hook is null || !CdsHookRules.KnownHooks.Contains(service.Hook))
            {
                errors.Add($"{at}:Hook must be one of {string.Join(", ", CdsHookRules.KnownHooks.Order(StringComparer.Ordinal))}.");
            }

            if (string.IsNullOrWhiteSpace(service.Description))
            {
                errors.Add($"{at}:Description is required: CDS Hooks discovery shows it to the EHR.");
            }

            if (!CdsHookRules.Indicators.Contains(service.Indicator ?? string.Empty))
            {
                errors.Add($"{at}:Indicator must be info, warning or critical.");
            }

            foreach (var (key, template) in service.Prefetch)
            {
                if (!CdsHookRules.IsPrefetchKey(key))
                {
                    errors.Add($"{at}:Prefetch: key '{key}' must be letters, digits, '-' and '_', at most 64 characters.");
                }

                if (CdsHookRules.CheckTemplate(template) is { } problem)
                {
                    errors.Add($"{at}:Prefetch:{key} {problem}.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>http on loopback only (a test EHR on the same machine); anything else must be https.</summary>
    internal static bool IsAcceptableJwksUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.UserInfo) && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    private void ValidateClients(CdsHooksOptions options, List<string> errors)
    {
        const string Section = $"{CdsHooksOptions.SectionName}:Clients";
        if (options.PublicBaseUrl is { } publicBase
            && (!Uri.TryCreate(publicBase, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp)
                || !string.IsNullOrEmpty(baseUri.Query) || !string.IsNullOrEmpty(baseUri.Fragment)))
        {
            errors.Add($"{CdsHooksOptions.SectionName}:PublicBaseUrl must be an absolute http(s) URL without query or fragment, e.g. https://cds.example.org.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{CdsHooksOptions.SectionName}:ClockSkew must be from 00:00:00 to 00:05:00.");
        }

        var apps = configuration?.GetSection($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Clients)}").GetChildren()
            .Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var issuers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, client) in options.Clients)
        {
            var at = $"{Section}:{id}";
            if (client is null)
            {
                errors.Add($"{at} is empty: give it an Issuer, a JwksUrl or Jwks, and an App.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(client.Issuer))
            {
                errors.Add($"{at}:Issuer is required: the 'iss' the EHR signs its tokens with.");
            }
            else if (!issuers.TryAdd(client.Issuer, id))
            {
                errors.Add($"{at}:Issuer is also {Section}:{issuers[client.Issuer]}'s: one client per issuer.");
            }

            if (string.IsNullOrWhiteSpace(client.App))
            {
                errors.Add($"{at}:App is required: the app of {GatewayOptions.SectionName}:Clients the EHR's calls count as.");
            }
            else if (apps is not null && !apps.Contains(client.App))
            {
                errors.Add($"{at}:App '{client.App}' is not an app of {GatewayOptions.SectionName}:Clients.");
            }

            var urls = client.AllJwksUrls().ToList();
            foreach (var url in urls.Where(u => !IsAcceptableJwksUrl(u)))
            {
                errors.Add($"{at}: JWK Set URL '{url}' must be an absolute https URL (http only on loopback), without user info or fragment.");
            }

            var keys = client.Jwks?.Keys ?? [];
            for (var i = 0; i < keys.Count; i++)
            {
                if (keys[i] is null)
                {
                    errors.Add($"{at}:Jwks:Keys:{i} is empty.");
                }
                else if (CdsJsonWebKeys.ToSecurityKey(CdsJsonWebKeys.FromOptions(keys[i]), out var problem) is null)
                {
                    errors.Add($"{at}:Jwks:Keys:{i} {problem}.");
                }
            }

            if (urls.Count == 0 && keys.Count == 0)
            {
                errors.Add($"{at} has no keys: give it a JwksUrl (the EHR's JWK Set) or Jwks (its public keys inline).");
            }
        }
    }
}

using Microsoft.Extensions.Options;
using XefAI.Gateway.CdsHooks;

namespace XefAI.Gateway.Configuration;

/// <summary>
/// Checks the <c>CdsHooks</c> section on its own: ids, hooks, indicators and prefetch templates. Whether each service's
/// use case exists and has a prompt template is the cross-layer check's (<see cref="LayerConfigurationValidator"/>).
/// </summary>
internal sealed class CdsHooksOptionsValidator : IValidateOptions<CdsHooksOptions>
{
    public ValidateOptionsResult Validate(string? name, CdsHooksOptions options)
    {
        var errors = new List<string>();
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
}

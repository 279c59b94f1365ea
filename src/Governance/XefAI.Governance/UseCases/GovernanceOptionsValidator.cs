using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>Checks every configured use case and risk tier and reports all problems at once.</summary>
internal sealed partial class GovernanceOptionsValidator(ILogger<GovernanceOptionsValidator> logger) : IValidateOptions<GovernanceOptions>
{
    public ValidateOptionsResult Validate(string? name, GovernanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var errors = new List<string>();
        foreach (var (id, useCase) in options.UseCases)
        {
            var path = $"{GovernanceOptions.SectionName}:UseCases:{id}";
            if (string.IsNullOrWhiteSpace(id))
            {
                errors.Add($"{path}: the use-case id must not be blank.");
            }

            if (useCase is null)
            {
                errors.Add($"{path}: the use case has no settings.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(useCase.Name))
            {
                errors.Add($"{path}: Name is required.");
            }

            if (string.IsNullOrWhiteSpace(useCase.Owner))
            {
                errors.Add($"{path}: Owner is required.");
            }

            if (useCase.Tier is < 1 or > 4)
            {
                errors.Add($"{path}: Tier must be 1 to 4, not {useCase.Tier}.");
            }

            if (!UseCaseOptions.TryParseStatus(useCase.Status, out _))
            {
                errors.Add($"{path}: Status '{useCase.Status}' must be one of proposed, approved, active, suspended, retired.");
            }

            if (useCase.Providers is null || useCase.Providers.Count == 0)
            {
                errors.Add($"{path}: at least one provider is required.");
            }
            else if (useCase.Providers.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"{path}: provider names must not be blank.");
            }
        }

        ValidateRiskTiers(options, errors);

        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        // At start-up the failure stops the host. After a reload it escapes OptionsMonitor's change callback
        // into the file watcher, which drops it, and the registry and the policies keep their last good
        // snapshots: this line is then the only trace of the rejected edit.
        LogRejected(logger, errors.Count, string.Join(" ", errors));
        return ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateRiskTiers(GovernanceOptions options, List<string> errors)
    {
        foreach (var (key, tier) in options.RiskTiers)
        {
            var path = $"{GovernanceOptions.SectionName}:RiskTiers:{key}";
            if (!RiskTierLifecycles.TryParseTier(key, out _))
            {
                errors.Add($"{path}: the risk tier must be 1, 2, 3 or 4.");
            }

            if (tier?.AllowedLifecycles is not { } names)
            {
                continue;
            }

            if (names.Count == 0)
            {
                errors.Add($"{path}: AllowedLifecycles must name at least one lifecycle; to serve nothing, suspend the tier's use cases.");
            }

            foreach (var name in names)
            {
                if (!DeploymentLifecycleNames.TryParse(name, out var lifecycle))
                {
                    errors.Add($"{path}: AllowedLifecycles '{name}' must be one of {DeploymentLifecycleNames.Allowable}.");
                }
                else if (lifecycle == DeploymentLifecycles.Retired)
                {
                    errors.Add($"{path}: AllowedLifecycles must not include 'retired': a retired deployment is never served.");
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Governance configuration rejected ({Count} errors); the last valid use cases and risk tiers stay in force. {Errors}")]
    private static partial void LogRejected(ILogger logger, int count, string errors);
}

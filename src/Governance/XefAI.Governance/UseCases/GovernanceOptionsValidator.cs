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

            if (!UseCaseOptions.TryParseStatus(useCase.Status, out var status))
            {
                errors.Add($"{path}: Status '{useCase.Status}' must be one of proposed, approved, active, suspended, retired.");
            }
            else if (useCase.Tier == 4 && status == UseCaseStatus.Active)
            {
                // Configuration cannot record a sponsor's approval or check the model card: activation must go through the guard.
                errors.Add($"{path}: a tier-4 use case cannot be configured 'active'; configure it 'proposed' and approve and activate it through POST /admin/use-cases/{id}/approve and /activate, which check its model card and record its clinical sponsor's approval.");
            }

            if (useCase.Providers is null || useCase.Providers.Count == 0)
            {
                errors.Add($"{path}: at least one provider is required.");
            }
            else if (useCase.Providers.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"{path}: provider names must not be blank.");
            }

            ValidateUseCaseDetails(path, useCase, errors);
        }

        ValidateRiskTiers(options, errors);
        ValidateState(options, errors);

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

            if (tier is null)
            {
                continue;
            }

            ValidateTierControls(path, tier, errors);
            if (tier.AllowedLifecycles is not { } names)
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

    private static void ValidateState(GovernanceOptions options, List<string> errors)
    {
        const string Section = GovernanceOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.StateStore))
        {
            errors.Add($"{Section}:StateStore must name a governance state store kind, such as 'sqlite'.");
        }

        if (options.Sqlite is null || string.IsNullOrWhiteSpace(options.Sqlite.Path))
        {
            errors.Add($"{Section}:Sqlite:Path must not be empty.");
        }

        // 0 would mean "wait forever" to Microsoft.Data.Sqlite, and a stuck lock must fail the action instead.
        if (options.Sqlite is { BusyTimeoutSeconds: < 1 })
        {
            errors.Add($"{Section}:Sqlite:BusyTimeoutSeconds must be at least 1, not {options.Sqlite.BusyTimeoutSeconds}.");
        }

        ValidatePostgres(options, errors);

        if (options.StatePollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:StatePollInterval must be longer than zero, not {options.StatePollInterval}.");
        }

        if (options.Incidents is { } incidents)
        {
            if (incidents.Window <= TimeSpan.Zero)
            {
                errors.Add($"{Section}:Incidents:Window must be longer than zero, not {incidents.Window}.");
            }

            if (incidents.SuspendAfter < 0)
            {
                errors.Add($"{Section}:Incidents:SuspendAfter must be a number of incidents, or 0 to never suspend, not {incidents.SuspendAfter}.");
            }
        }

        if (options.ErrorRate is { } errorRate)
        {
            if (!(errorRate.Threshold is > 0 and <= 1))
            {
                errors.Add($"{Section}:ErrorRate:Threshold must be more than 0 and at most 1, not {errorRate.Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
            }

            if (errorRate.MinimumCalls < 1)
            {
                errors.Add($"{Section}:ErrorRate:MinimumCalls must be at least 1, not {errorRate.MinimumCalls}.");
            }

            if (errorRate.Window <= TimeSpan.Zero)
            {
                errors.Add($"{Section}:ErrorRate:Window must be longer than zero, not {errorRate.Window}.");
            }
        }
    }

    // Messages name keywords and positions, never values: the connection string may hold a password.
    private static void ValidatePostgres(GovernanceOptions options, List<string> errors)
    {
        if (!string.Equals(options.StateStore, PostgresGovernanceStateStore.StoreKind, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        // 0 would let a statement wait for a stalled session's lock without end.
        if (options.Postgres is { CommandTimeoutSeconds: < 1 or > GovernancePostgresOptions.MaxCommandTimeoutSeconds })
        {
            errors.Add($"{GovernanceOptions.SectionName}:Postgres:CommandTimeoutSeconds must be from 1 to " +
                $"{GovernancePostgresOptions.MaxCommandTimeoutSeconds}, not {options.Postgres.CommandTimeoutSeconds}.");
        }

        const string Key = GovernanceOptions.SectionName + ":Postgres:ConnectionString";
        var connectionString = options.Postgres?.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            errors.Add($"{Key} is required when {GovernanceOptions.SectionName}:StateStore is 'postgres'.");
            return;
        }

        PostgresConnectionStrings.Validate(Key, connectionString, errors);
        if (options.Postgres?.MigrationConnectionString is { } migration)
        {
            PostgresConnectionStrings.Validate(GovernanceOptions.SectionName + ":Postgres:MigrationConnectionString", migration, errors);
        }
    }

    private static void ValidateUseCaseDetails(string path, UseCaseOptions useCase, List<string> errors)
    {
        if (useCase.AllowedApps is { } apps && apps.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{path}: AllowedApps must not hold blank app ids.");
        }

        if (useCase.PromptTemplate is { } template
            && (string.IsNullOrWhiteSpace(template.Id) || string.IsNullOrWhiteSpace(template.Version)))
        {
            errors.Add($"{path}: PromptTemplate needs both an Id and a Version.");
        }

        if (useCase.DeIdentification is { OptOut: true } deIdentification)
        {
            if (string.IsNullOrWhiteSpace(deIdentification.Reason))
            {
                errors.Add($"{path}: DeIdentification:OptOut needs a DeIdentification:Reason saying why the use case may send PHI as it is to vendors without a BAA; its model card and every audit record show it.");
            }

            if (useCase.Tier == 4)
            {
                errors.Add($"{path}: a tier-4 use case cannot opt out of de-identification (DeIdentification:OptOut); serve it from BAA-covered or in-process deployments instead.");
            }
        }

        if (useCase.OutputLabels is { } labels)
        {
            if (labels.Count > UseCaseOptions.MaxOutputLabels
                || labels.Any(l => string.IsNullOrWhiteSpace(l) || l.Trim().Length > 64)
                || labels.Select(l => l.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Count() != labels.Count)
            {
                errors.Add($"{path}: OutputLabels must be at most {UseCaseOptions.MaxOutputLabels} distinct, non-blank labels of up to 64 characters.");
            }
        }

        if (useCase.ModelCard is { } card)
        {
            foreach (var entry in card.Attributes)
            {
                if (entry.Attribute is { Value: { } value, NotSupplied: { } reason }
                    && !string.IsNullOrWhiteSpace(value) && !string.IsNullOrWhiteSpace(reason))
                {
                    errors.Add($"{path}: ModelCard:{entry.Path} has both a value and a NotSupplied reason; give one.");
                }
            }
        }
    }

    private static void ValidateTierControls(string path, RiskTierOptions tier, List<string> errors)
    {
        // Blank (JSON null) keeps the tier's default, as a missing key does.
        if (!string.IsNullOrWhiteSpace(tier.Review) && !RiskTierControls.TryParseReview(tier.Review, out _))
        {
            errors.Add($"{path}: Review '{tier.Review}' must be one of none, draft, hold.");
        }

        if (tier.DeIdentifyUnlessBaa == false)
        {
            errors.Add($"{path}: DeIdentifyUnlessBaa cannot be turned off for a tier: every call to a vendor without a BAA is de-identified. A use case that must send PHI as it is opts out on its own, with a reason: Governance:UseCases:<id>:DeIdentification:OptOut and :Reason.");
        }

        if (!string.IsNullOrWhiteSpace(tier.VerbatimAuditText) && !RiskTierControls.TryParseVerbatimAuditText(tier.VerbatimAuditText, out _))
        {
            errors.Add($"{path}: VerbatimAuditText '{tier.VerbatimAuditText}' must be one of deidentified, original.");
        }

        if (tier.MaxTokens is < 0)
        {
            errors.Add($"{path}: MaxTokens must be a positive number of tokens, or 0 for no cap, not {tier.MaxTokens}.");
        }

        if (tier.RateLimit is { } rateLimit)
        {
            if (rateLimit.PermitLimit is < 0)
            {
                errors.Add($"{path}: RateLimit:PermitLimit must be a positive number of calls, or 0 for no limit, not {rateLimit.PermitLimit}.");
            }

            if (rateLimit.Window is { } window && window <= TimeSpan.Zero)
            {
                errors.Add($"{path}: RateLimit:Window must be longer than zero, not {window}.");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Governance configuration rejected ({Count} errors); the last valid use cases and risk tiers stay in force. {Errors}")]
    private static partial void LogRejected(ILogger logger, int count, string errors);
}

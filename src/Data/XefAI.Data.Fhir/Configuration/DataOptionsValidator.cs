using Microsoft.Extensions.Options;

namespace XefAI.Data.Configuration;

/// <summary>Checks the <c>Data</c> section; the salt's value never appears in a message.</summary>
internal sealed class DataOptionsValidator : IValidateOptions<DataOptions>
{
    private const string SaltKey = $"{DataOptions.SectionName}:{nameof(DataOptions.PseudonymSalt)}";

    public ValidateOptionsResult Validate(string? name, DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        if (options.MaxBundleEntries <= 0 || options.MaxJsonDepth is < 8 or > 256)
        {
            return ValidateOptionsResult.Fail(
                $"{DataOptions.SectionName}:MaxBundleEntries must be positive and {DataOptions.SectionName}:MaxJsonDepth from 8 to 256.");
        }

        if (options.MaxDeIdentifiedTextLength is < 1024 or > 64 * 1024 * 1024)
        {
            return ValidateOptionsResult.Fail($"{DataOptions.SectionName}:MaxDeIdentifiedTextLength must be from 1024 to 67108864 characters.");
        }

        if (string.IsNullOrWhiteSpace(options.PromptsPath))
        {
            return ValidateOptionsResult.Fail($"{DataOptions.SectionName}:PromptsPath must name the prompt templates folder, e.g. config/prompts.");
        }

        var salt = options.PseudonymSalt;
        if (string.IsNullOrWhiteSpace(salt))
        {
            return ValidateOptionsResult.Fail(
                $"{SaltKey} is missing. Set it to a secret of at least {DataOptions.MinimumSaltLength} characters "
                + "(user secrets, or the environment variable Data__PseudonymSalt): it keys the patient pseudonyms in the audit trail.");
        }

        if (salt.Length < DataOptions.MinimumSaltLength)
        {
            return ValidateOptionsResult.Fail(
                $"{SaltKey} is too short ({salt.Length} characters); use at least {DataOptions.MinimumSaltLength}.");
        }

        return ValidateOptionsResult.Success;
    }
}

using Microsoft.Extensions.Options;

namespace XefAI.Data.FhirServer;

/// <summary>Checks the <c>Data:FhirServer</c> section, reporting every bad value at once.</summary>
internal sealed class FhirServerOptionsValidator : IValidateOptions<FhirServerOptions>
{
    private const string Section = FhirServerOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, FhirServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var errors = new List<string>();
        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Section}:RequestTimeout must be more than zero and at most 00:05:00.");
        }

        if (options.FetchTimeout < options.RequestTimeout || options.FetchTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{Section}:FetchTimeout must be at least RequestTimeout and at most 00:10:00.");
        }

        if (options.MaxResponseBytes is < 1024 or > 256 * 1024 * 1024)
        {
            errors.Add($"{Section}:MaxResponseBytes must be from 1024 to 268435456.");
        }

        if (options.MaxPages is < 1 or > 1000)
        {
            errors.Add($"{Section}:MaxPages must be from 1 to 1000.");
        }

        if (options.MaxEntries is < 1 or > 100_000)
        {
            errors.Add($"{Section}:MaxEntries must be from 1 to 100000.");
        }

        if (options.MaxQueries is < 1 or > 100)
        {
            errors.Add($"{Section}:MaxQueries must be from 1 to 100.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

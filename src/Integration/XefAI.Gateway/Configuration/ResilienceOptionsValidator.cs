using Microsoft.Extensions.Options;

namespace XefAI.Gateway.Configuration;

/// <summary>Checks <c>Gateway:Resilience</c>; all errors at once.</summary>
internal sealed class ResilienceOptionsValidator : IValidateOptions<ResilienceOptions>
{
    public ValidateOptionsResult Validate(string? name, ResilienceOptions options)
    {
        var errors = new List<string>();
        Positive("TotalTimeout", options.TotalTimeout, errors);
        Positive("AttemptTimeout", options.AttemptTimeout, errors);
        Positive("RetryBaseDelay", options.RetryBaseDelay, errors);
        Positive("BreakerSamplingDuration", options.BreakerSamplingDuration, errors);
        Positive("BreakerBreakDuration", options.BreakerBreakDuration, errors);
        if (options.MaxRetries is < 0 or > 10)
        {
            errors.Add($"{ResilienceOptions.SectionName}:MaxRetries must be 0 to 10.");
        }

        if (options.BreakerFailureRatio is <= 0 or > 1)
        {
            errors.Add($"{ResilienceOptions.SectionName}:BreakerFailureRatio must be above 0 and at most 1.");
        }

        if (options.BreakerMinimumThroughput < 2)
        {
            errors.Add($"{ResilienceOptions.SectionName}:BreakerMinimumThroughput must be at least 2.");
        }

        foreach (var (id, timeouts) in options.UseCases)
        {
            if (timeouts.TotalTimeout is { } total && total <= TimeSpan.Zero)
            {
                errors.Add($"{ResilienceOptions.SectionName}:UseCases:{id}:TotalTimeout must be positive.");
            }

            if (timeouts.AttemptTimeout is { } attempt && attempt <= TimeSpan.Zero)
            {
                errors.Add($"{ResilienceOptions.SectionName}:UseCases:{id}:AttemptTimeout must be positive.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(string key, TimeSpan value, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{ResilienceOptions.SectionName}:{key} must be positive.");
        }
    }
}

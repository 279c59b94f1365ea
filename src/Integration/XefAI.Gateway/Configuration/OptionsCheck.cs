using Microsoft.Extensions.Options;

namespace XefAI.Gateway.Configuration;

/// <summary>Binds and validates one options type afresh from the current configuration, without caching.</summary>
internal interface IOptionsCheck
{
    /// <summary>Every problem found; empty when the options bind and pass validation.</summary>
    IReadOnlyList<string> Check();
}

/// <inheritdoc cref="IOptionsCheck"/>
internal sealed class OptionsCheck<T>(IOptionsFactory<T> factory) : IOptionsCheck
    where T : class
{
    public IReadOnlyList<string> Check()
    {
        try
        {
            factory.Create(Options.DefaultName);
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the expected type, never the value.
            return [ex.Message];
        }
    }
}

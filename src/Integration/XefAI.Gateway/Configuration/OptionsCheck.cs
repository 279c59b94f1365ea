using Microsoft.Extensions.Options;

namespace XefAI.Gateway.Configuration;

/// <summary>Binds and validates one options type afresh from the current configuration, without caching.</summary>
internal interface IOptionsCheck
{
    /// <summary>The options type checked.</summary>
    Type OptionsType { get; }

    /// <summary>Every problem found; empty when the options bind and pass validation.</summary>
    IReadOnlyList<string> Check();
}

/// <inheritdoc cref="IOptionsCheck"/>
internal sealed class OptionsCheck<T>(IOptionsFactory<T> factory) : IOptionsCheck
    where T : class
{
    public Type OptionsType => typeof(T);

    public IReadOnlyList<string> Check()
    {
        var errors = new List<string>();
        OptionsCheck.TryCreate(factory, errors);
        return errors;
    }
}

/// <summary>Binding and validating options without the options caches, which would keep a value a later edit replaced.</summary>
internal static class OptionsCheck
{
    /// <returns>A fresh instance, or null when <paramref name="errors"/> received why it does not bind or validate.</returns>
    public static T? TryCreate<T>(IOptionsFactory<T> factory, List<string> errors)
        where T : class
    {
        try
        {
            return factory.Create(Options.DefaultName);
        }
        catch (OptionsValidationException ex)
        {
            errors.AddRange(ex.Failures);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the expected type, never the value.
            errors.Add(ex.Message);
        }

        return null;
    }
}

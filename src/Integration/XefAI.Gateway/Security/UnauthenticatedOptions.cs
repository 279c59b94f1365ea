using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XefAI.Gateway.Configuration;

namespace XefAI.Gateway.Security;

/// <summary>The part of the <c>Gateway</c> section that limits traffic without a valid key.</summary>
internal sealed class UnauthenticatedOptions
{
    /// <summary>
    /// Requests without a valid key one source address may make per minute (a token bucket, so a burst of this
    /// many, then this many a minute); beyond it they get 429 and are only counted. Valid keys are never limited.
    /// </summary>
    public int UnauthenticatedRequestsPerMinute { get; set; } = 60;
}

/// <summary>Refuses a limit that would throttle every keyless request, or none in practice.</summary>
internal sealed class UnauthenticatedOptionsValidator : IValidateOptions<UnauthenticatedOptions>
{
    public const int Max = 1_000_000;

    public ValidateOptionsResult Validate(string? name, UnauthenticatedOptions options) =>
        options.UnauthenticatedRequestsPerMinute is < 1 or > Max
            ? ValidateOptionsResult.Fail($"Gateway:UnauthenticatedRequestsPerMinute must be from 1 to {Max}.")
            : ValidateOptionsResult.Success;
}

/// <summary>Registers the accounting of refused authentication: the aggregator, its flusher and its limit.</summary>
internal static class AuthenticationFailuresServiceCollectionExtensions
{
    public static IServiceCollection AddAuthenticationFailures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UnauthenticatedOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UnauthenticatedOptions>, UnauthenticatedOptionsValidator>());
        services.TryAddSingleton<AuthenticationFailures>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AuthenticationFailureFlusher>());
        return services;
    }
}

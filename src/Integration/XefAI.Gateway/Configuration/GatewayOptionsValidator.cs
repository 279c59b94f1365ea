using Microsoft.Extensions.Options;

namespace XefAI.Gateway.Configuration;

/// <summary>Checks the <c>Gateway</c> section on its own; all errors are reported at once.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        if (options.MaxRequestBodyBytes <= 0)
        {
            errors.Add("Gateway:MaxRequestBodyBytes must be positive.");
        }

        if (options.MaxResponseBodyBytes <= 0)
        {
            errors.Add("Gateway:MaxResponseBodyBytes must be positive.");
        }

        if (options.VendorTimeout <= TimeSpan.Zero)
        {
            errors.Add("Gateway:VendorTimeout must be positive.");
        }

        if (options.PublicBaseUrl is { } publicBase
            && (!Uri.TryCreate(publicBase, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp)
                || !string.IsNullOrEmpty(baseUri.Query) || !string.IsNullOrEmpty(baseUri.Fragment)))
        {
            errors.Add("Gateway:PublicBaseUrl must be an absolute http(s) URL without query or fragment, e.g. https://ai-gateway.example.org.");
        }

        if (options.MaxJsonDepth is < 8 or > 256)
        {
            errors.Add("Gateway:MaxJsonDepth must be from 8 to 256.");
        }

        if (options.MaxMessages <= 0)
        {
            errors.Add("Gateway:MaxMessages must be positive.");
        }

        if (options.MaxEmbeddingInputs <= 0)
        {
            errors.Add("Gateway:MaxEmbeddingInputs must be positive.");
        }

        if (options.StreamIdleTimeout <= TimeSpan.Zero)
        {
            errors.Add("Gateway:StreamIdleTimeout must be positive.");
        }

        if (options.MaxStreamLineBytes < 1024)
        {
            errors.Add("Gateway:MaxStreamLineBytes must be at least 1024.");
        }

        ValidateOverload(options.Overload, errors);
        ValidateDrift(options.Drift, errors);

        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (appId, client) in options.Clients)
        {
            // No key at all is an app only CDS Hooks clients call as (their JWTs); the cross-layer check makes sure one
            // does. A key given, even empty, must be a real hash.
            if (client.ApiKeySha256 is not null)
            {
                CheckHash($"Gateway:Clients:{appId}:ApiKeySha256", client.ApiKeySha256, errors);
            }

            if (client.UseCases.Count == 0)
            {
                errors.Add($"Gateway:Clients:{appId}:UseCases is empty: the app could call nothing.");
            }

            if (client.ApiKeySha256 is { } hash && !seen.TryAdd(hash, appId))
            {
                errors.Add($"Gateway:Clients:{appId} has the same API key as '{seen[hash]}'; each app needs its own key.");
            }
        }

        foreach (var (admin, options1) in options.Admins)
        {
            CheckHash($"Gateway:Admins:{admin}:ApiKeySha256", options1.ApiKeySha256, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckHash(string key, string? value, List<string> errors)
    {
        if (value is null || value.Length != 64 || !value.All(Uri.IsHexDigit))
        {
            errors.Add($"{key} must be the 64-character hex SHA-256 of the key (printf %s \"$KEY\" | sha256sum).");
        }
    }

    private static void ValidateDrift(DriftOptions? drift, List<string> errors)
    {
        if (drift is null)
        {
            return;
        }

        if (drift.BaselineCalls is < 10 or > DriftOptions.MaxCalls)
        {
            errors.Add($"Gateway:Drift:BaselineCalls must be from 10 to {DriftOptions.MaxCalls}, not {drift.BaselineCalls}.");
        }

        if (drift.WindowCalls is < 10 or > DriftOptions.MaxCalls)
        {
            errors.Add($"Gateway:Drift:WindowCalls must be from 10 to {DriftOptions.MaxCalls}, not {drift.WindowCalls}.");
        }

        if (!(drift.Threshold > 0 && drift.Threshold <= 10))
        {
            errors.Add($"Gateway:Drift:Threshold must be above 0 and at most 10 (0.2 is the usual line), not {drift.Threshold}.");
        }
    }

    private static void ValidateOverload(OverloadOptions? overload, List<string> errors)
    {
        if (overload is null)
        {
            return;
        }

        if (overload.MaxConcurrentCalls is < 0 or > OverloadOptions.MaxLimit)
        {
            errors.Add($"Gateway:Overload:MaxConcurrentCalls must be from 0 (no limit) to {OverloadOptions.MaxLimit}, or unset for {OverloadOptions.DefaultCallsPerProcessor} per processor, not {overload.MaxConcurrentCalls}.");
        }

        if (overload.QueueLimit is < 0 or > OverloadOptions.MaxLimit)
        {
            errors.Add($"Gateway:Overload:QueueLimit must be from 0 to {OverloadOptions.MaxLimit}, not {overload.QueueLimit}.");
        }

        if (overload.RetryAfterSeconds is < 1 or > OverloadOptions.MaxRetryAfterSeconds)
        {
            errors.Add($"Gateway:Overload:RetryAfterSeconds must be from 1 to {OverloadOptions.MaxRetryAfterSeconds}, not {overload.RetryAfterSeconds}.");
        }

        if (overload.MaxCallsPerVendor is < 0 or > OverloadOptions.MaxLimit)
        {
            errors.Add($"Gateway:Overload:MaxCallsPerVendor must be from 0 (no limit) to {OverloadOptions.MaxLimit}, not {overload.MaxCallsPerVendor}.");
        }

        if (overload.MaxReadingCalls is < 0 or > OverloadOptions.MaxLimit)
        {
            errors.Add($"Gateway:Overload:MaxReadingCalls must be from 0 (no limit) to {OverloadOptions.MaxLimit}, or unset for {OverloadOptions.DefaultReadingCallsPerPlace} per processing place, not {overload.MaxReadingCalls}.");
        }

        if (overload.MaxBodyBytesInFlight is < 0 or (> 0 and < OverloadOptions.MinBodyBytesInFlight))
        {
            errors.Add($"Gateway:Overload:MaxBodyBytesInFlight must be 0 (no budget) or at least {OverloadOptions.MinBodyBytesInFlight} bytes, or unset for 1/{OverloadOptions.DefaultBodyBudgetDivisor} of the memory the GC may use, not {overload.MaxBodyBytesInFlight}.");
        }
    }
}

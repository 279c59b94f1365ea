using XefAI.Gateway.OpenAI;

namespace XefAI.Gateway.Pipeline;

/// <summary>Errors the client gets when no provider could answer.</summary>
internal static class ProviderErrors
{
    public static OpenAIError BadGateway(string code, string message) =>
        new(StatusCodes.Status502BadGateway, "upstream_error", code, message);

    public static OpenAIError Timeout(string message) =>
        new(StatusCodes.Status504GatewayTimeout, "upstream_error", "vendor_timeout", message);
}

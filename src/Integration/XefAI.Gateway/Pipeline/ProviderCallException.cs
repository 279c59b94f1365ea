using XefAI.Gateway.OpenAI;

namespace XefAI.Gateway.Pipeline;

/// <summary>A provider could not answer; carries the error the client gets.</summary>
internal sealed class ProviderCallException : Exception
{
    public ProviderCallException()
        : this(new OpenAIError(StatusCodes.Status502BadGateway, "upstream_error", "vendor_error", "The model vendor failed."))
    {
    }

    public ProviderCallException(string message)
        : this(new OpenAIError(StatusCodes.Status502BadGateway, "upstream_error", "vendor_error", message))
    {
    }

    public ProviderCallException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new OpenAIError(StatusCodes.Status502BadGateway, "upstream_error", "vendor_error", message);
    }

    public ProviderCallException(OpenAIError error)
        : base(error.Message)
    {
        Error = error;
    }

    public OpenAIError Error { get; }

    public static ProviderCallException BadGateway(string code, string message) =>
        new(new OpenAIError(StatusCodes.Status502BadGateway, "upstream_error", code, message));

    public static ProviderCallException Timeout(string message) =>
        new(new OpenAIError(StatusCodes.Status504GatewayTimeout, "upstream_error", "vendor_timeout", message));

    public static ProviderCallException Unavailable(string code, string message) =>
        new(OpenAIError.Unavailable(code, message));
}

namespace XefAI.Models;

/// <summary>
/// The client's request asks for something the provider's vendor cannot do, so translating it would drop part of
/// it silently. The gateway answers 400 <c>unsupported_parameter</c> naming <see cref="Param"/>; the message is
/// shown to the developer, so it names fields and types, never the request's content.
/// </summary>
public sealed class UnsupportedRequestException : Exception
{
    public UnsupportedRequestException()
    {
    }

    public UnsupportedRequestException(string message)
        : base(message)
    {
    }

    public UnsupportedRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="param">The request field at fault as OpenAI names fields, e.g. <c>messages[2].content[1]</c>.</param>
    /// <param name="message">What cannot be translated and what the developer can do instead.</param>
    public UnsupportedRequestException(string param, string message)
        : base(message)
    {
        Param = param;
    }

    /// <summary>The request field at fault, e.g. <c>response_format</c> or <c>messages[2].content[1]</c>.</summary>
    public string? Param { get; }
}

namespace XefAI.Models;

/// <summary>A model provider: one vendor protocol, selected by <see cref="Kind"/> in configuration.</summary>
public interface IModelProvider
{
    /// <summary>The name configuration uses for this provider, e.g. <c>openai</c>.</summary>
    string Kind { get; }
}

/// <summary>
/// A provider whose vendor is reached over HTTP. The gateway forwards the call through YARP to a
/// destination of the deployment's cluster; the provider only translates the wire format.
/// </summary>
public interface IHttpModelProvider : IModelProvider
{
    /// <summary>Builds the vendor request, including the vendor's own authentication header.</summary>
    /// <exception cref="UnsupportedRequestException">The request asks for something the vendor cannot do.</exception>
    VendorHttpRequest CreateRequest(ModelRequest request, VendorEndpoint endpoint);

    /// <summary>Reads the vendor's answer into an OpenAI chat completion.</summary>
    /// <exception cref="VendorResponseException">The vendor answered with an error or with a body of the wrong shape.</exception>
    ModelResponse ReadResponse(ModelRequest request, VendorHttpResponse response);

    /// <summary>
    /// Starts translating one streamed answer (<see cref="ChatOptions.Stream"/>). For a streamed call,
    /// <see cref="CreateRequest"/> must ask the vendor for a stream that reports token usage.
    /// </summary>
    IStreamTranslator CreateStreamTranslator(ModelRequest request);
}

/// <summary>A provider that answers inside the gateway process, with no vendor and no network.</summary>
public interface IInProcessModelProvider : IModelProvider
{
    ValueTask<ModelResponse> CompleteAsync(ModelRequest request, CancellationToken cancellationToken);
}

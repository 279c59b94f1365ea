using System.Text.Json.Nodes;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// What one attempt asks of one deployment, per operation: the invoker retries and falls back the same way for a
/// chat completion and for embeddings; only the provider seam each uses differs.
/// </summary>
internal abstract class ModelCall
{
    /// <summary>The answer is streamed: an attempt that succeeds returns a started response.</summary>
    public virtual bool Stream => false;

    /// <summary>Whether the provider answers inside the gateway for this operation.</summary>
    public abstract bool IsInProcess(IModelProvider provider);

    /// <summary>Whether the provider reaches a vendor over HTTP for this operation.</summary>
    public abstract bool IsHttp(IModelProvider provider);

    /// <exception cref="UnsupportedRequestException">The request asks for what this provider cannot do.</exception>
    public abstract ValueTask<AttemptOutcome> AnswerInProcessAsync(IModelProvider provider, ModelDeployment deployment, CancellationToken cancellationToken);

    /// <exception cref="UnsupportedRequestException">The request asks for what this vendor cannot do.</exception>
    public abstract VendorHttpRequest CreateVendorRequest(IModelProvider provider, ModelDeployment deployment, VendorEndpoint endpoint);

    /// <exception cref="VendorResponseException">The vendor answered with an error or a body of the wrong shape.</exception>
    public abstract AttemptOutcome ReadVendorResponse(IModelProvider provider, ModelDeployment deployment, VendorHttpResponse response);

    public virtual IStreamTranslator CreateStreamTranslator(IModelProvider provider, ModelDeployment deployment) =>
        throw new InvalidOperationException("This operation does not stream.");

    /// <param name="request">The call's request.</param>
    /// <param name="messages">The conversation as sent to the model.</param>
    /// <param name="body">The OpenAI-shaped body providers pass through.</param>
    /// <param name="context">The clinical context.</param>
    public static ModelCall For(GatewayRequest request, IReadOnlyList<ChatMessage> messages, JsonObject body, ModelContext context) =>
        request.Operation == CallOperation.Embeddings
            ? new EmbeddingsCall(request.Embeddings ?? throw new InvalidOperationException("An embeddings call needs its inputs."))
            : new ChatCall(messages, request.Options, body, context);
}

/// <summary>A chat completion, buffered or streamed.</summary>
internal sealed class ChatCall(IReadOnlyList<ChatMessage> messages, ChatOptions options, JsonObject body, ModelContext context) : ModelCall
{
    // The request of the last deployment asked: an attempt asks it for the vendor body and then for the answer.
    private ModelRequest? _last;

    public override bool Stream => options.Stream;

    public override bool IsInProcess(IModelProvider provider) => provider is IInProcessModelProvider;

    public override bool IsHttp(IModelProvider provider) => provider is IHttpModelProvider;

    public override async ValueTask<AttemptOutcome> AnswerInProcessAsync(IModelProvider provider, ModelDeployment deployment, CancellationToken cancellationToken)
    {
        var answer = await ((IInProcessModelProvider)provider).CompleteAsync(RequestFor(deployment), cancellationToken);
        return options.Stream
            ? new AttemptOutcome { Stream = new CompletedAnswerStream(answer, options.IncludeUsage) }
            : new AttemptOutcome { Answer = answer };
    }

    public override VendorHttpRequest CreateVendorRequest(IModelProvider provider, ModelDeployment deployment, VendorEndpoint endpoint) =>
        ((IHttpModelProvider)provider).CreateRequest(RequestFor(deployment), endpoint);

    public override AttemptOutcome ReadVendorResponse(IModelProvider provider, ModelDeployment deployment, VendorHttpResponse response)
    {
        var answer = ((IHttpModelProvider)provider).ReadResponse(RequestFor(deployment), response);

        // A vendor that answers a stream request with one body still answers: the client gets the stream it asked for.
        return options.Stream ? new AttemptOutcome { Stream = new CompletedAnswerStream(answer, options.IncludeUsage) } : new AttemptOutcome { Answer = answer };
    }

    public override IStreamTranslator CreateStreamTranslator(IModelProvider provider, ModelDeployment deployment) =>
        ((IHttpModelProvider)provider).CreateStreamTranslator(RequestFor(deployment));

    private ModelRequest RequestFor(ModelDeployment deployment)
    {
        var last = _last;
        if (last is not null && ReferenceEquals(last.Deployment, deployment))
        {
            return last;
        }

        return _last = new(deployment, messages, options, body, context);
    }
}

/// <summary>Vectors for one or more inputs.</summary>
internal sealed class EmbeddingsCall(OpenAIEmbeddingRequest request) : ModelCall
{
    public override bool IsInProcess(IModelProvider provider) => provider is IInProcessEmbeddingProvider;

    public override bool IsHttp(IModelProvider provider) => provider is IHttpEmbeddingProvider;

    public override async ValueTask<AttemptOutcome> AnswerInProcessAsync(IModelProvider provider, ModelDeployment deployment, CancellationToken cancellationToken) =>
        new() { Embeddings = await ((IInProcessEmbeddingProvider)provider).EmbedAsync(request.ForDeployment(deployment), cancellationToken) };

    public override VendorHttpRequest CreateVendorRequest(IModelProvider provider, ModelDeployment deployment, VendorEndpoint endpoint) =>
        ((IHttpEmbeddingProvider)provider).CreateEmbeddingRequest(request.ForDeployment(deployment), endpoint);

    public override AttemptOutcome ReadVendorResponse(IModelProvider provider, ModelDeployment deployment, VendorHttpResponse response) =>
        new() { Embeddings = ((IHttpEmbeddingProvider)provider).ReadEmbeddingResponse(request.ForDeployment(deployment), response) };
}

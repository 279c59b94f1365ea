using System.Text.Json.Nodes;

namespace XefAI.Models;

/// <summary>An embeddings request as the Models layer sees it: validated, routed to one deployment.</summary>
/// <param name="Deployment">The deployment chosen for this attempt.</param>
/// <param name="Inputs">The texts to embed, in order; empty when the client sent token ids (<see cref="TokenInputs"/>).</param>
/// <param name="Dimensions">
/// The vector size the client asked for; when null, the deployment's <see cref="ModelDeployment.EmbeddingDimensions"/>
/// or the model's own size applies.
/// </param>
/// <param name="User">The client's end-user id (<c>user</c>), passed to vendors that take one.</param>
/// <param name="Body">The client's OpenAI request, for providers that pass fields through unchanged.</param>
public sealed record EmbeddingRequest(
    ModelDeployment Deployment,
    IReadOnlyList<string> Inputs,
    int? Dimensions,
    string? User,
    JsonObject Body)
{
    /// <summary>
    /// Pre-tokenized inputs (OpenAI's <c>int[]</c> and <c>int[][]</c> forms), one token-id array per input; null when
    /// the client sent text. Only providers whose vendor shares the client's tokenizer can embed these.
    /// </summary>
    public IReadOnlyList<int[]>? TokenInputs { get; init; }

    /// <summary>How many vectors the answer must hold: one per input, text or token ids.</summary>
    public int InputCount => TokenInputs?.Count ?? Inputs.Count;

    /// <summary>The vector size that applies to this call, or null when the model's own size does.</summary>
    public int? EffectiveDimensions => Dimensions ?? Deployment.EmbeddingDimensions;
}

/// <summary>A provider's embeddings, one vector per input in input order, plus what governance needs to read.</summary>
/// <param name="Vectors">One vector per input, index <c>i</c> for input <c>i</c>.</param>
/// <param name="Model">The model that answered, as the vendor names it.</param>
/// <param name="Usage">Token usage (input tokens only; embeddings produce no output tokens), when reported.</param>
public sealed record EmbeddingResponse(IReadOnlyList<float[]> Vectors, string Model, TokenUsage? Usage);

/// <summary>How the client wants vectors written (<c>encoding_format</c>).</summary>
public enum EmbeddingEncoding
{
    /// <summary>JSON arrays of numbers, OpenAI's default.</summary>
    Float,

    /// <summary>Base64 of the little-endian IEEE 754 float32 bytes, as OpenAI sends it.</summary>
    Base64,
}

/// <summary>
/// An optional capability of an HTTP provider: embeddings from a vendor. Implemented by the same class as the chat
/// seam, because the catalog holds one provider per kind and a deployment names a kind, not a capability.
/// </summary>
public interface IHttpEmbeddingProvider : IModelProvider
{
    /// <summary>Builds the vendor request, including the vendor's own authentication header.</summary>
    /// <exception cref="UnsupportedRequestException">The request asks for something the vendor cannot do.</exception>
    VendorHttpRequest CreateEmbeddingRequest(EmbeddingRequest request, VendorEndpoint endpoint);

    /// <summary>Reads the vendor's answer into one vector per input, in input order.</summary>
    /// <exception cref="VendorResponseException">The vendor answered with an error or with a body of the wrong shape.</exception>
    EmbeddingResponse ReadEmbeddingResponse(EmbeddingRequest request, VendorHttpResponse response);
}

/// <summary>An optional capability of an in-process provider: embeddings computed inside the gateway.</summary>
public interface IInProcessEmbeddingProvider : IModelProvider
{
    /// <exception cref="UnsupportedRequestException">The request asks for something the provider cannot do.</exception>
    ValueTask<EmbeddingResponse> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken);
}

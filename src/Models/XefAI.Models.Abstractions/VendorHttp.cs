namespace XefAI.Models;

/// <summary>The destination a call goes to, with the vendor key resolved from its environment variable.</summary>
/// <param name="Name">Cluster and destination, e.g. <c>openai/primary</c>, for messages and the audit trail.</param>
/// <param name="ApiKey">The vendor key, or null when the destination needs none (a local vLLM, say).</param>
/// <param name="Metadata">Cluster metadata overlaid with destination metadata.</param>
public sealed record VendorEndpoint(string Name, string? ApiKey, IReadOnlyDictionary<string, string> Metadata)
{
    public string? GetMetadata(string key) => Metadata.TryGetValue(key, out var value) ? value : null;
}

/// <summary>A request for the vendor: path relative to the destination address, body bytes and headers.</summary>
/// <param name="RelativePath">Path below the destination address, e.g. <c>chat/completions</c>.</param>
/// <param name="Body">The serialized body; the gateway streams it to the vendor through YARP.</param>
/// <param name="ContentType">Media type of the body, e.g. <c>application/json</c>.</param>
/// <param name="Headers">Vendor headers, including its authentication header.</param>
public sealed record VendorHttpRequest(
    string RelativePath,
    ReadOnlyMemory<byte> Body,
    string ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>The vendor's answer, buffered.</summary>
public sealed record VendorHttpResponse(int StatusCode, ReadOnlyMemory<byte> Body, string? ContentType)
{
    /// <summary>
    /// Where a provider may leave what reads over <see cref="Body"/> and must live as long as the answer it returned (a
    /// parsed document with pooled buffers): the gateway disposes of it when the call ends, and keeps the body unchanged
    /// until then. Null: the provider copies what its answer keeps.
    /// </summary>
    public Action<IDisposable>? DisposeWithCall { get; init; }
}

/// <summary>The vendor answered with an error status or with something that is not a valid answer.</summary>
public sealed class VendorResponseException : Exception
{
    public VendorResponseException()
    {
    }

    public VendorResponseException(string message)
        : base(message)
    {
    }

    public VendorResponseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public VendorResponseException(string message, int vendorStatusCode)
        : base(message)
    {
        VendorStatusCode = vendorStatusCode;
    }

    /// <summary>The vendor's HTTP status, when it answered with an error status.</summary>
    public int? VendorStatusCode { get; }
}

using System.Buffers;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Forwarder;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// Shapes one forwarded attempt. The body and headers are the provider's translation of the validated call,
/// so no client header (above all its API key) reaches the vendor. The vendor's answer is buffered here and not
/// copied to the client: the gateway answers only after the audit record is committed. A stream is handed to the
/// pipeline as it starts.
/// </summary>
/// <param name="traceParent">The <c>traceparent</c> to send when no activity will (nobody traces); else null.</param>
internal sealed class VendorTransformer(
    VendorHttpRequest vendorRequest,
    string? traceParent,
    long maxResponseBytes,
    VendorAnswerStream? streaming,
    Action onResponseHeaders,
    TimeProvider time) : HttpTransformer
{
    /// <summary>The vendor's HTTP status, once its headers arrived.</summary>
    public int? StatusCode { get; private set; }

    /// <summary>How long the vendor asked to wait (429/503 Retry-After), when it did.</summary>
    public TimeSpan? RetryAfter { get; private set; }

    /// <summary>The vendor's buffered answer, once headers and body arrived.</summary>
    public VendorHttpResponse? Response { get; private set; }

    /// <summary>Why the answer could not be read, when it could not.</summary>
    public string? ReadFailure { get; private set; }

    public override ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        proxyRequest.Method = HttpMethod.Post;
        proxyRequest.RequestUri = VendorUris.Of(destinationPrefix, vendorRequest.RelativePath);
        if (proxyRequest.Content is { } content)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(vendorRequest.ContentType);
            content.Headers.ContentLength = vendorRequest.Body.Length;
        }

        foreach (var (name, value) in vendorRequest.Headers)
        {
            proxyRequest.Headers.TryAddWithoutValidation(name, value);
        }

        // With no activity (nobody traces), HttpClient propagates nothing: the vendor still gets the call's trace id.
        if (traceParent is not null)
        {
            proxyRequest.Headers.TryAddWithoutValidation("traceparent", traceParent);
        }

        // The base transform is not called on purpose: it would copy the client's headers.
        return ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        // The attempt timeout covers the wait for the vendor's headers; a stream may then run on.
        onResponseHeaders();
        StatusCode = (int)proxyResponse.StatusCode;
        RetryAfter = proxyResponse.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

        if (streaming is not null && proxyResponse.IsSuccessStatusCode
            && proxyResponse.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            // The pipeline reads the stream; YARP's call stays open, and copies nothing, until it is done.
            await streaming.AttachAsync(proxyResponse);
            return false;
        }

        try
        {
            var declared = proxyResponse.Content.Headers.ContentLength;
            if (declared > maxResponseBytes)
            {
                ReadFailure = $"the answer is {declared} bytes, over the {maxResponseBytes}-byte limit";
                return false;
            }

            await using var stream = await proxyResponse.Content.ReadAsStreamAsync(cancellationToken);
            var body = declared is { } length && length < Array.MaxLength
                ? await ReadDeclaredAsync(httpContext, stream, (int)length, cancellationToken)
                : await ReadBoundedAsync(stream, maxResponseBytes, cancellationToken);
            if (body is null)
            {
                ReadFailure = $"the answer is over the {maxResponseBytes}-byte limit";
                return false;
            }

            Response = new VendorHttpResponse((int)proxyResponse.StatusCode, body.Value, proxyResponse.Content.Headers.ContentType?.MediaType)
            {
                // The body array is this call's alone: a provider may read over it until the request ends.
                DisposeWithCall = httpContext.Response.RegisterForDispose,
            };
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            ReadFailure = "the connection failed while the answer was being read";
        }

        return false;
    }

    /// <summary>
    /// An answer of declared length, within the limit (checked before): read straight into a pooled array kept until the
    /// call ends (<see cref="CallBuffer"/>), the only allocation. The vendor's client ends the body at the declared
    /// length, or fails if it ends short.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ReadOnlyMemory<byte>?> ReadDeclaredAsync(HttpContext httpContext, Stream stream, int length, CancellationToken cancellationToken)
    {
        var body = CallBuffer.Rent(httpContext, length);
        var count = 0;
        while (count < length)
        {
            var read = await stream.ReadAsync(body.AsMemory(count, length - count), cancellationToken);
            if (read == 0)
            {
                break;
            }

            count += read;
        }

        return body.AsMemory(0, count);
    }

    /// <summary>
    /// An answer of unknown length, read into pooled buffers (doubled as needed, never past the limit) and copied out
    /// once at its exact size: a small answer costs its own size, not the buffers it was read through.
    /// </summary>
    /// <returns>The answer, or null once it is over <paramref name="limit"/>.</returns>
    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(Stream stream, long limit, CancellationToken cancellationToken)
    {
        // One byte past the limit tells an answer over it; no array holds more than Array.MaxLength.
        var largest = limit < Array.MaxLength ? (int)limit + 1 : Array.MaxLength;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferBytes, largest));
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (buffer.Length >= largest)
                    {
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, largest));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(count), cancellationToken);
                if (read == 0)
                {
                    return buffer.AsSpan(0, count).ToArray();
                }

                count += read;
                if (count > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const int InitialBufferBytes = 16 * 1024;
}

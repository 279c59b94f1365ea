using System.Security.Cryptography;
using XefAI.Gateway.OpenAI;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// Writes OpenAI-style server-sent events to the client, flushing each one, and hashes every byte sent so
/// the audit record of a stream holds the SHA-256 of exactly what the client received.
/// </summary>
internal sealed class ServerSentEventWriter(HttpResponse response) : IDisposable
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();
    /// <summary>The bytes an event adds around its JSON (<c>data: </c> and the blank line).</summary>
    public const int FramingBytes = 8;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Whether the response headers went out: from then on, errors can only be sent as events.</summary>
    public bool Started { get; private set; }

    /// <summary>Bytes of events sent so far (the response limit counts these).</summary>
    public long BytesWritten { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);
        Started = true;
    }

    public async Task WriteChunkAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        Append(DataPrefix);
        Append(json.Span);
        Append(EventEnd);
        await response.Body.WriteAsync(DataPrefix, cancellationToken);
        await response.Body.WriteAsync(json, cancellationToken);
        await response.Body.WriteAsync(EventEnd, cancellationToken);
    }

    public Task FlushAsync(CancellationToken cancellationToken) => response.Body.FlushAsync(cancellationToken);

    /// <summary>Ends a stream that failed after it started: an error event, never a silent truncated 200.</summary>
    public async Task WriteErrorAsync(CallError error, CancellationToken cancellationToken)
    {
        await WriteChunkAsync(error.ToUtf8Json(), cancellationToken);
        await FlushAsync(cancellationToken);
    }

    /// <summary>The SHA-256 (hex) of every event written so far; the final <c>[DONE]</c> line is not part of it.</summary>
    public string ContentSha256() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Done, cancellationToken);
        await FlushAsync(cancellationToken);
    }

    public void Dispose() => _hash.Dispose();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        _hash.AppendData(bytes);
        BytesWritten += bytes.Length;
    }
}

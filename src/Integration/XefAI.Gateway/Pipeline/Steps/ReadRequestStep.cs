using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Read the request: the body is read once, within the gateway's size limit, and hashed for the audit record; the
/// adapter then translates it into the call. A compressed body (any <c>Content-Encoding</c> but <c>identity</c>) is
/// refused with 415 before it is read. A body the client cannot deliver (malformed chunked framing, too slow)
/// is the client's fault: one warning line, no stack trace. The body is read in one of the gateway's reading slots, not
/// a processing place, and weighs in the body budget (<see cref="LoadShedder"/>); once it is in, the call takes a
/// processing place, and only then does the adapter translate it. With a bound full, the call is shed.
/// </summary>
internal sealed partial class ReadRequestStep(LoadShedder shedder, ILogger<ReadRequestStep> logger) : ICallStep
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ExecuteAsync(CallContext call)
    {
        // A compressed body is refused, not decompressed: its decompressed size is not bounded by the body limit.
        if (!IsIdentity(call.HttpContext.Request.Headers.ContentEncoding))
        {
            call.Error = UnsupportedEncoding;
            return;
        }

        if (!shedder.TryStartReading())
        {
            call.ShedBy = LoadShedder.ReadingBound;
            return;
        }

        ReadOnlyMemory<byte>? body;
        try
        {
            body = await ReadBodyAsync(call, call.Config.Gateway.MaxRequestBodyBytes);
        }
        finally
        {
            shedder.EndReading();
        }

        if (body is null)
        {
            return;
        }

        call.Body = body.Value;
        call.InputSha256 = Sha256Hex(body.Value.Span);

        // The body is in: the call takes a processing place before the adapter's work (parsing, a FHIR fetch).
        if (!await shedder.AdmitAsync(call))
        {
            return;
        }

        var translation = await call.Adapter.TranslateAsync(call.HttpContext, body.Value);
        call.Request = translation.Request;
        call.Error = translation.Error;
    }

    public static string Sha256Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <returns>
    /// The body, or null when the call got its error (over the limit, 413; a body the client could not deliver) or
    /// was shed for the body budget.
    /// </returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>?> ReadBodyAsync(CallContext call, long limit)
    {
        var request = call.HttpContext.Request;
        if (request.ContentLength > limit)
        {
            call.Error = TooLarge(limit);
            return null;
        }

        // A declared body weighs its length from the start: that is what is allocated for it.
        if (request.ContentLength is { } length && !shedder.TryTakeBodyBytes(call, length))
        {
            call.ShedBy = LoadShedder.BodyBytesBound;
            return null;
        }

        try
        {
            return request.ContentLength is { } declared
                ? await ReadDeclaredAsync(call.HttpContext, (int)declared, call.Aborted)
                : await ReadChunkedAsync(call, request.Body, limit);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's verdict on the body: malformed chunked framing (400), or a client too slow to send it (408).
            LogBodyUnreadable(logger, call.TraceId, ex.StatusCode, ex.Message);
            var timedOut = ex.StatusCode == StatusCodes.Status408RequestTimeout;
            call.Error = new CallError(
                ex.StatusCode is >= 400 and < 500 ? ex.StatusCode : StatusCodes.Status400BadRequest,
                timedOut ? "request_body_timeout" : "malformed_body",
                timedOut ? "The request body arrived too slowly; send it at once." : MalformedMessage);
            return null;
        }
        catch (IOException ex) when (!call.Aborted.IsCancellationRequested)
        {
            // Kestrel reports an unparseable chunk size (an overflow) as a plain IOException.
            LogBodyUnreadable(logger, call.TraceId, StatusCodes.Status400BadRequest, ex.Message);
            call.Error = CallError.InvalidRequest("malformed_body", MalformedMessage);
            return null;
        }
    }

    /// <summary>
    /// A body of declared length, read into one pooled array kept until the call ends (<see cref="CallBuffer"/>): no
    /// growth, no copy.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ReadOnlyMemory<byte>?> ReadDeclaredAsync(HttpContext httpContext, int length, CancellationToken cancellationToken)
    {
        var buffer = CallBuffer.Rent(httpContext, length);
        var body = httpContext.Request.Body;
        var filled = 0;
        while (filled < length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(filled, length - filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return buffer.AsMemory(0, filled);
    }

    /// <summary>A body of unknown length (chunked), read within the limit; it weighs what has arrived so far.</summary>
    private async Task<ReadOnlyMemory<byte>?> ReadChunkedAsync(CallContext call, Stream body, long limit)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await body.ReadAsync(buffer.GetMemory(), call.Aborted);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                call.Error = TooLarge(limit);
                return null;
            }

            if (!shedder.TryTakeBodyBytes(call, read))
            {
                call.ShedBy = LoadShedder.BodyBytesBound;
                return null;
            }
        }
    }

    private static readonly CallError UnsupportedEncoding = new(
        StatusCodes.Status415UnsupportedMediaType,
        "unsupported_content_encoding",
        "The request body is sent with a Content-Encoding (e.g. gzip) this gateway does not accept; send the body uncompressed, without a Content-Encoding header.");

    /// <summary>No <c>Content-Encoding</c>, or only <c>identity</c> (in any case, in any list).</summary>
    internal static bool IsIdentity(StringValues contentEncoding)
    {
        foreach (var header in contentEncoding)
        {
            foreach (var coding in (header ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private const string MalformedMessage = "The request body could not be read: its HTTP framing (e.g. chunked encoding) is malformed.";

    private static CallError TooLarge(long limit) => new(
        StatusCodes.Status413PayloadTooLarge, "request_too_large", $"The request body is larger than this gateway's limit of {limit} bytes.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request body of trace {TraceId} could not be read ({Status}): {Reason}")]
    private static partial void LogBodyUnreadable(ILogger logger, string traceId, int status, string reason);
}

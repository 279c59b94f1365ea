using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>How far a relayed stream may go: bytes sent to the client, one line of the vendor's stream, silence.</summary>
internal sealed record StreamLimits(long MaxResponseBytes, int MaxLineBytes, TimeSpan IdleTimeout);

/// <summary>
/// Relays one vendor's event stream to the client, translated to OpenAI chunks. A stream that fails after
/// it started ends with an OpenAI-style error event, never a silent truncated 200; a client that goes away
/// cancels the read, and YARP then drops the upstream request. A stream past the response limit, with a line
/// past the line limit, or silent past the idle timeout ends the same way, so memory and time stay bounded.
/// </summary>
internal sealed class StreamingAttempt(
    IStreamTranslator translator, CallAttempts call, ModelDeployment deployment, string destination, StreamLimits limits, TimeProvider time)
{
    /// <summary>The client's stream was opened by this attempt.</summary>
    public bool Started { get; private set; }

    /// <summary>The opening audit record could not be committed; the client already has a 503.</summary>
    public bool Refused { get; private set; }

    public AttemptOutcome Outcome { get; private set; } = new();

    /// <summary>The stream was cut at the response limit: what was sent is a prefix of the answer.</summary>
    public bool Truncated { get; private set; }

    public async Task RelayAsync(HttpContext httpContext, HttpResponseMessage vendorResponse, CancellationToken cancellationToken)
    {
        if (!await call.OnStreamStarting(deployment))
        {
            Refused = true;
            Outcome = call.Refused() with { Destination = destination };
            return;
        }

        var writer = await call.StartStreamAsync(cancellationToken);
        Started = true;
        CallError? failure = null;
        var chunks = new List<ReadOnlyMemory<byte>>(4);
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var read = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        try
        {
            await using var body = await vendorResponse.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new ServerSentEventReader(body, limits.MaxLineBytes);
            while (true)
            {
                // Each event restarts the idle timer: a vendor may be slow, but not silent for longer than the limit.
                idle.CancelAfter(limits.IdleTimeout);
                if (await reader.ReadAsync(read.Token) is not { } vendorEvent)
                {
                    break;
                }

                chunks.Clear();
                var done = translator.Translate(vendorEvent, chunks);
                var size = 0L;
                foreach (var chunk in chunks)
                {
                    size += chunk.Length + ServerSentEventWriter.FramingBytes;
                }

                if (writer.BytesWritten + size > limits.MaxResponseBytes)
                {
                    failure = new CallError(
                        StatusCodes.Status502BadGateway, "response_too_large",
                        $"Model vendor '{destination}' streamed more than this gateway's limit of {limits.MaxResponseBytes} bytes; the stream was cut there.");
                    Truncated = true;
                    break;
                }

                foreach (var chunk in chunks)
                {
                    await writer.WriteChunkAsync(chunk, cancellationToken);
                }

                await writer.FlushAsync(cancellationToken);
                if (done)
                {
                    Outcome = Answered((int)vendorResponse.StatusCode);
                    return;
                }
            }

            failure ??= ProviderErrors.BadGateway(
                "vendor_stream_truncated", $"Model vendor '{destination}' ended the stream before the answer was complete.");
        }
        catch (VendorResponseException ex)
        {
            failure = ProviderErrors.BadGateway("vendor_stream_error", $"Model vendor '{destination}' failed mid-stream: {ex.Message}");
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            failure = new CallError(499, "client_closed", "The client closed the stream.");
            Outcome = Failed(failure, (int)vendorResponse.StatusCode);
            return;
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            failure = new CallError(
                StatusCodes.Status504GatewayTimeout, "vendor_stream_idle",
                $"Model vendor '{destination}' sent nothing for {limits.IdleTimeout.TotalSeconds:0.#} s mid-stream; the stream was ended.");
        }
        catch (OperationCanceledException)
        {
            failure = ProviderErrors.Timeout($"The call's total timeout ran out while model vendor '{destination}' was streaming.");
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            failure = ProviderErrors.BadGateway("vendor_stream_interrupted", $"The connection to model vendor '{destination}' broke mid-stream.");
        }

        Outcome = Failed(failure, (int)vendorResponse.StatusCode);
        try
        {
            await writer.WriteErrorAsync(failure, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client is gone as well; the audit record still tells what happened.
        }
    }

    private AttemptOutcome Answered(int status) => new()
    {
        Stream = translator.Result,
        ResponseStarted = true,
        Destination = destination,
        VendorStatus = status,
    };

    private AttemptOutcome Failed(CallError error, int status) =>
        AttemptOutcome.Failed(error, retryable: false, canFallback: false, destination, status) with
        {
            Stream = translator.Result,
            ResponseStarted = true,
            Truncated = Truncated,
        };
}

using XefAI.Gateway.OpenAI;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// Relays one vendor's event stream to the client, translated to OpenAI chunks. A stream that fails after
/// it started ends with an OpenAI-style error event, never a silent truncated 200; a client that goes away
/// cancels the read, and YARP then drops the upstream request.
/// </summary>
internal sealed class StreamingAttempt(IStreamTranslator translator, CallAttempts call, ModelDeployment deployment, string destination)
{
    /// <summary>The client's stream was opened by this attempt.</summary>
    public bool Started { get; private set; }

    /// <summary>The opening audit record could not be committed; the client already has a 503.</summary>
    public bool Refused { get; private set; }

    public AttemptOutcome Outcome { get; private set; } = new();

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
        OpenAIError? failure = null;
        var chunks = new List<ReadOnlyMemory<byte>>(4);
        try
        {
            await using var body = await vendorResponse.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new ServerSentEventReader(body);
            while (await reader.ReadAsync(cancellationToken) is { } vendorEvent)
            {
                chunks.Clear();
                var done = translator.Translate(vendorEvent, chunks);
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

            failure = ProviderErrors.BadGateway(
                "vendor_stream_truncated", $"Model vendor '{destination}' ended the stream before the answer was complete.");
        }
        catch (VendorResponseException ex)
        {
            failure = ProviderErrors.BadGateway("vendor_stream_error", $"Model vendor '{destination}' failed mid-stream: {ex.Message}");
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            failure = new OpenAIError(499, "client_closed", "client_closed", "The client closed the stream.");
            Outcome = Failed(failure, (int)vendorResponse.StatusCode);
            return;
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

    private AttemptOutcome Failed(OpenAIError error, int status) =>
        AttemptOutcome.Failed(error, retryable: false, canFallback: false, destination, status) with
        {
            Stream = translator.Result,
            ResponseStarted = true,
        };
}

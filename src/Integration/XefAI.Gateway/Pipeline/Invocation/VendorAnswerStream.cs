using System.Runtime.CompilerServices;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// A vendor's event stream, relayed by YARP and read by the pipeline. YARP's forwarding call stays open while the
/// pipeline reads: the response is handed over from YARP's response callback, which returns only once the pipeline is
/// done with it, so YARP neither writes to the client nor releases the vendor connection early. A stream that fails
/// after it started sets <see cref="AnswerStream.Failure"/>; a line past the line limit or silence past the idle
/// timeout ends it the same way, so memory and time stay bounded.
/// </summary>
internal sealed class VendorAnswerStream(
    IStreamTranslator translator, string deployment, int maxLineBytes, TimeSpan idleTimeout, CancellationToken clientAborted, TimeProvider time)
    : AnswerStream
{
    private readonly TaskCompletionSource<HttpResponseMessage> _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _forwarding;
    private IDisposable? _attempt;

    /// <summary>What the vendor sent so far: the whole answer once the stream completed, a prefix if it was cut.</summary>
    public override StreamedAnswer? Result => translator.Result;

    /// <summary>Completes when the vendor's success headers arrived and the stream is ready to read.</summary>
    public Task<HttpResponseMessage> Attached => _attached.Task;

    /// <summary>Called from YARP's response callback: hands the response over and holds the forwarding call open until released.</summary>
    public Task AttachAsync(HttpResponseMessage response)
    {
        _attached.TrySetResult(response);
        return _released.Task;
    }

    /// <summary>The forwarding call and the attempt's cancellation source now belong to the stream, until it is disposed.</summary>
    public void Own(Task forwarding, IDisposable attempt)
    {
        _forwarding = forwarding;
        _attempt = attempt;
    }

    public override async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = await Attached;
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var read = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new ServerSentEventReader(body, maxLineBytes);
        var chunks = new List<ReadOnlyMemory<byte>>(4);
        while (true)
        {
            // Each event restarts the idle timer: a vendor may be slow, but not silent for longer than the limit.
            idle.CancelAfter(idleTimeout);
            var (more, done) = await NextAsync(reader, chunks, idle, read.Token, cancellationToken);
            foreach (var chunk in chunks)
            {
                yield return chunk;
            }

            if (done)
            {
                yield break;
            }

            if (!more)
            {
                // A clean close without the end marker: whole if the translator has seen the answer finish.
                chunks.Clear();
                if (Failure is null && translator.TryComplete(chunks))
                {
                    foreach (var chunk in chunks)
                    {
                        yield return chunk;
                    }

                    yield break;
                }

                Failure ??= ProviderErrors.BadGateway(
                    "vendor_stream_truncated", $"The model vendor of deployment '{deployment}' ended the stream before the answer was complete.");
                yield break;
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _released.TrySetResult();
        if (_forwarding is not null)
        {
            try
            {
                await _forwarding;
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
            {
                // The outcome is already known from the stream itself.
            }
        }

        _attempt?.Dispose();
    }

    /// <returns>Whether the stream goes on, and whether the answer is complete; failures set <see cref="AnswerStream.Failure"/>.</returns>
    private async Task<(bool More, bool Done)> NextAsync(
        ServerSentEventReader reader, List<ReadOnlyMemory<byte>> chunks, CancellationTokenSource idle, CancellationToken read, CancellationToken call)
    {
        chunks.Clear();
        try
        {
            if (await reader.ReadAsync(read) is not { } vendorEvent)
            {
                return (false, false);
            }

            var done = translator.Translate(vendorEvent, chunks);
            return (true, done);
        }
        catch (VendorResponseException ex)
        {
            Failure = ProviderErrors.BadGateway("vendor_stream_error", $"The model vendor of deployment '{deployment}' failed mid-stream: {ex.Message}");
        }
        catch (OperationCanceledException) when (clientAborted.IsCancellationRequested)
        {
            Failure = CallError.ClientClosed("The client closed the stream.");
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !call.IsCancellationRequested)
        {
            Failure = new CallError(
                StatusCodes.Status504GatewayTimeout, "vendor_stream_idle",
                $"The model vendor of deployment '{deployment}' sent no event for {idleTimeout.TotalSeconds:0.#} s mid-stream; the stream was ended.");
        }
        catch (OperationCanceledException)
        {
            Failure = ProviderErrors.Timeout($"The call's total timeout ran out while the model vendor of deployment '{deployment}' was streaming.");
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            Failure = ProviderErrors.BadGateway("vendor_stream_interrupted", $"The connection to the model vendor of deployment '{deployment}' broke mid-stream.");
        }

        return (false, false);
    }
}

using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Release: the only place a call's response is written. The adapter's rendering goes out with the governance
/// headers once the record is committed. A stream is written chunk by chunk, bounded by the response limit; its
/// closing record (the hash of every byte sent) is committed before the stream's end, or the stream ends with an error.
/// Each chunk of a stream is timed as it arrives: the first from when the model was asked, the others from the one
/// before.
/// </summary>
internal sealed class ReleaseStep(AuditRecorder recorder, IGatewayMetrics? metrics = null, TimeProvider? time = null) : ICallStep
{
    /// <summary>A stream's closing record when the client did not read it within the call's total timeout.</summary>
    public const string ClientReadTimeoutCode = "client_read_timeout";

    /// <summary>How long an answer may take to be written when the call's total timeout ran out before it was.</summary>
    internal static readonly TimeSpan AnswerWriteGrace = TimeSpan.FromSeconds(5);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ExecuteAsync(CallContext call)
    {
        if (call.Error is null && call.Stream is not null && call.Record is not null)
        {
            await StreamAsync(call, call.Adapter.Streaming ?? throw new InvalidOperationException($"Adapter '{call.Adapter.Route}' cannot stream."));
            return;
        }

        if (call.Aborted.IsCancellationRequested)
        {
            return;
        }

        var response = call.HttpContext.Response;
        GatewayHeaders.SetTraceId(response, call.TraceId);
        RenderedResponse rendered;
        if (call.Error is { } error)
        {
            rendered = call.Adapter.RenderError(error);
            GatewayHeaders.SetRetryAfter(response, error.RetryAfter);
            GatewayHeaders.SetShouldRetry(response, error);

            GatewayHeaders.SetGovernance(response, call, call.Record?.Id, answeredBy: null);
        }
        else if (call.Held is { } held)
        {
            rendered = call.Adapter.RenderHeld(held);
            GatewayHeaders.SetGovernance(response, call, held.AuditId, call.Deployment);
        }
        else
        {
            var record = call.Record!;
            rendered = call.Adapter.Release(call.Rendered!, new CallReceipt(call.TraceId, record.Id, call.OutputSha256!, record.Entry.Timestamp));
            GatewayHeaders.SetGovernance(response, call, record.Id, call.Deployment);
        }

        response.StatusCode = rendered.StatusCode;
        response.ContentType = rendered.ContentType;
        response.ContentLength = rendered.Body.Length;
        if (rendered.Headers is { } headers)
        {
            foreach (var (name, value) in headers)
            {
                response.Headers[name] = value;
            }
        }

        // Bounded by the call's total timeout, as the stream below: a client that stops reading a large answer must not
        // keep the call (its overload place, its buffers) for as long as Kestrel's rate check allows, which counts the
        // bytes the kernel's send buffer took (megabytes) as sent.
        var budget = call.Attempts?.Token ?? call.Aborted;
        CancellationTokenSource? grace = null;
        if (budget.IsCancellationRequested)
        {
            // The budget ran out before the answer was written (the 504 of a total timeout that ran out mid-attempt, or
            // a commit that took the rest): the client is owed that answer, so its write gets a short bound of its own.
            // A write under the spent budget failed at once, and the client saw its connection reset.
            grace = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted);
            grace.CancelAfter(AnswerWriteGrace);
            budget = grace.Token;
        }

        try
        {
            await response.Body.WriteAsync(rendered.Body, budget);
        }
        catch (OperationCanceledException) when (TotalTimeoutRanOut(call))
        {
            // The record says what was answered; the client that would not take it is cut off.
            call.HttpContext.Abort();
        }
        finally
        {
            grace?.Dispose();
        }
    }

    private async Task StreamAsync(CallContext call, IStreamFraming framing)
    {
        var stream = call.Stream!;
        var response = call.HttpContext.Response;
        GatewayHeaders.SetGovernance(response, call, call.Record!.Id, call.Deployment);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = framing.ContentType;
        foreach (var (name, value) in framing.Headers)
        {
            response.Headers[name] = value;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var limit = call.Config.Gateway.MaxResponseBodyBytes;
        var written = 0L;
        var truncated = false;
        CallError? failure = null;
        var timed = metrics is not null && time is not null && call.Deployment is not null && call.UseCase is not null;
        var streamed = timed
            ? new StreamedCall(call.UseCase!.Id, call.Deployment!.Kind, call.Deployment!.VendorModel, call.Attempts?.ServerAddress)
            : default;
        var previous = call.InvokeStarted;
        var first = true;

        // Writes wait on the call's total timeout too, not only on the client going away: Kestrel's MinResponseDataRate
        // counts what the kernel's send buffer took as sent, so a client reading a byte a second would otherwise hold
        // the call, and its overload place, for hours once the buffer is full.
        var budget = call.Attempts?.Token ?? call.Aborted;
        try
        {
            await response.StartAsync(call.Aborted);
            await foreach (var chunk in stream.ReadAsync(call.Attempts?.Token ?? call.Aborted))
            {
                if (timed)
                {
                    var now = time!.GetTimestamp();
                    var elapsed = time!.GetElapsedTime(previous, now);
                    if (first)
                    {
                        metrics!.RecordTimeToFirstChunk(in streamed, elapsed);
                        first = false;
                    }
                    else
                    {
                        metrics!.RecordTimePerOutputChunk(in streamed, elapsed);
                    }

                    previous = now;
                }

                var frame = framing.Frame(chunk);
                if (written + frame.Length > limit)
                {
                    truncated = true;
                    failure = new CallError(
                        StatusCodes.Status502BadGateway, "response_too_large",
                        $"The model vendor of deployment '{call.Deployment?.Id}' streamed more than this gateway's limit of {limit} bytes; the stream was cut there.");
                    break;
                }

                hash.AppendData(frame.Span);
                written += frame.Length;
                await response.Body.WriteAsync(frame, budget);
                await response.Body.FlushAsync(budget);
            }

            failure ??= stream.Failure;
        }
        catch (OperationCanceledException) when (TotalTimeoutRanOut(call))
        {
            // The total timeout ran out while the client was not taking the stream (Kestrel has closed the connection
            // for the cancelled write): no error event could reach it either, so the closing record says why. The
            // client's doing, not the vendor's: 499, which the use case's error rate does not count, so a slow reader
            // cannot get a use case suspended for everyone.
            failure = new CallError(
                StatusCodes.Status499ClientClosedRequest,
                ClientReadTimeoutCode,
                "The call's total timeout ran out while the client was still reading the stream; the connection was closed.");
            call.HttpContext.Abort();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && call.Aborted.IsCancellationRequested)
        {
            failure = CallError.ClientClosed("The client closed the stream.");
        }

        if (failure is { StatusCode: not 499 })
        {
            // A stream that fails after it started ends with an error event, never a silent truncated 200.
            var frame = framing.FrameError(failure);
            hash.AppendData(frame.Span);
            await TryWriteAsync(response, frame, call.Aborted);
        }

        var decision = failure is null ? CallOutcomes.Answered : CallOutcomes.Failed;
        var status = failure?.StatusCode ?? StatusCodes.Status200OK;
        var record = await recorder.TryAppendAsync(
            call,
            decision,
            status,
            failure?.Code ?? $"stream_opened_by:{call.Record.Id}",
            Convert.ToHexStringLower(hash.GetCurrentHash()),
            released => OutputText(released ? stream.Result : stream.VendorResult, truncated, limit),
            streamed: true);
        call.Outcome = record is null ? CallOutcomes.Failed : decision;
        call.StatusCode = status;
        call.Error = failure;
        if (failure is null && !call.Aborted.IsCancellationRequested)
        {
            await TryWriteAsync(response, record is null ? framing.FrameError(AuditRecorder.Unavailable) : framing.End, call.Aborted);
        }
    }

    /// <summary>
    /// The verbatim text of a streamed answer. A stream cut at the response limit keeps at most the limit, marked as
    /// truncated; the record's hash still covers every byte the client received.
    /// </summary>
    private static string? OutputText(StreamedAnswer? streamed, bool truncated, long limit)
    {
        if (streamed is null)
        {
            return null;
        }

        // What the model said by its tool calls is part of the answer, in the shape of an OpenAI message's.
        var toolCalls = streamed.ToolCalls?.Select(c => new { id = c.Id, type = "function", function = new { name = c.Name, arguments = c.Arguments } }).ToList();
        if (!truncated)
        {
            return toolCalls is null
                ? JsonSerializer.Serialize(new { content = streamed.Content, finish_reason = streamed.FinishReason })
                : JsonSerializer.Serialize(new { content = streamed.Content, finish_reason = streamed.FinishReason, tool_calls = toolCalls });
        }

        var content = streamed.Content.Length > limit ? streamed.Content[..(int)Math.Min(limit, int.MaxValue)] : streamed.Content;
        return toolCalls is null
            ? JsonSerializer.Serialize(new { content, finish_reason = "response_too_large", truncated = true })
            : JsonSerializer.Serialize(new { content, finish_reason = "response_too_large", truncated = true, tool_calls = toolCalls });
    }

    // A write cancelled by the call's budget, not by the client leaving first: Kestrel aborts the connection of a
    // cancelled write, so the request's own token is set either way and cannot tell the two apart.
    private static bool TotalTimeoutRanOut(CallContext call) => call.Attempts is { TimedOut: true };

    private static async Task TryWriteAsync(HttpResponse response, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await response.Body.WriteAsync(bytes, cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client left; the record is committed either way.
        }
    }
}

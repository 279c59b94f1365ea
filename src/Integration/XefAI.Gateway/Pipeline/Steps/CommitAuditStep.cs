using System.Runtime.CompilerServices;
using System.Text;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Commit audit: every outcome of an authenticated call, answered, held, refused or failed, is committed before a
/// byte of its response leaves. The answer is rendered by the adapter first, so the record's hash covers what is sent.
/// A stream commits its opening record here and its closing record before it ends; a checked stream, whole before it
/// is released, is rendered in the protocol's stream framing and has one record, <c>streamed</c>, hashing every byte
/// sent. If the store cannot commit, the call fails closed with 503.
/// </summary>
internal sealed class CommitAuditStep(AuditRecorder recorder) : ICallStep
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ExecuteAsync(CallContext call)
    {
        if (call.App is null)
        {
            // A keyless call was counted in aggregate by the authenticate step.
            return;
        }

        if (call.Error is null && call.Stream is not null)
        {
            call.Record = await recorder.TryAppendAsync(call, CallOutcomes.Streaming, StatusCodes.Status200OK, null, null, null, streamed: true);
            call.Error = call.Record is null ? AuditRecorder.Unavailable : null;
            return;
        }

        string decision;
        string? reasons;
        if (call.Error is null)
        {
            call.Rendered = Render(call, call.Answer);
            if (call.Rendered.Body.Length > call.Config.Gateway.MaxResponseBodyBytes)
            {
                // A vendor's answer is bounded as it is read; an in-process one (a large batch of vectors) only here.
                call.Error = new CallError(
                    StatusCodes.Status502BadGateway, "response_too_large",
                    $"The answer is {call.Rendered.Body.Length} bytes, over this gateway's limit of {call.Config.Gateway.MaxResponseBodyBytes} bytes; ask for less (fewer inputs, fewer dimensions, fewer tokens).");
                call.Answer = null;
                call.Embeddings = null;
            }
        }

        if (call.Error is { } error)
        {
            call.Rendered = call.Adapter.RenderError(error);
            call.StatusCode = error.StatusCode;
            decision = CallOutcomes.Of(error.StatusCode);
            reasons = error.Code;
        }
        else
        {
            var held = call.Outcome == CallOutcomes.Held;
            call.StatusCode = held ? StatusCodes.Status202Accepted : call.Rendered!.StatusCode;
            decision = held ? CallOutcomes.Held : CallOutcomes.Of(call.Rendered!.StatusCode);
            reasons = held ? "review_required" : AsStream(call) ? CheckedStream.Reason : null;
        }

        // A checked stream's one record is a streamed call's: the client got a stream, and the hash covers all of it.
        var body = call.Rendered!.Body;
        call.OutputSha256 = ReadRequestStep.Sha256Hex(body.Span);
        call.Record = await recorder.TryAppendAsync(
            call, decision, call.StatusCode, reasons, call.OutputSha256,
            static (state, released) => OutputText(state.call, state.body, released), (call, body), streamed: call.Error is null && AsStream(call));
        call.Outcome = decision;
        if (call.Record is null)
        {
            call.Error = AuditRecorder.Unavailable;
            call.Outcome = CallOutcomes.Failed;
            call.StatusCode = AuditRecorder.Unavailable.StatusCode;
        }
    }

    /// <summary>
    /// The output a verbatim record keeps: the response as released, or, where the restore step put values back into
    /// the answer, the same rendering of the answer as the vendor gave it.
    /// </summary>
    private static string OutputText(CallContext call, ReadOnlyMemory<byte> released, bool asReleased)
    {
        if (asReleased || call.Error is not null || call.VendorAnswer is not { } vendorAnswer)
        {
            return Encoding.UTF8.GetString(released.Span);
        }

        return Encoding.UTF8.GetString(Render(call, vendorAnswer).Body.Span);
    }

    /// <summary>A checked stream goes out as the stream the client asked for, in the protocol's own framing.</summary>
    private static bool AsStream(CallContext call) => call.CheckedStream is not null && call.Answer is not null && call.Adapter.Streaming is not null;

    /// <summary>The answer as the adapter renders it; for a checked stream, framed as the stream the client asked for.</summary>
    private static RenderedResponse Render(CallContext call, Models.ModelResponse? chat) =>
        AsStream(call) && chat is not null
            ? call.CheckedStream!.Render(chat, call.Adapter.Streaming!)
            : call.Adapter.RenderAnswer(AnswerOf(call, chat));

    private static CallAnswer AnswerOf(CallContext call, Models.ModelResponse? chat) => new(call.UseCase!.Id, (int)call.UseCase.Tier, call.Deployment!, call.Timestamp)
    {
        Chat = chat,
        Embeddings = call.Embeddings,
        Prompt = call.Prompt,
        DataWarnings = call.Clinical.Warnings,
        PatientPseudonym = call.PatientPseudonym,
        Draft = call.Review == Governance.ReviewRequirement.Draft,
        DisposeWithCall = call.DisposeWithCall,
    };
}

using System.Buffers;
using XefAI.Gateway.OpenAI;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// A stream the output checks must read whole before any of it is released: the model is asked for one body, and the
/// checked answer goes to the client in the protocol's own stream framing, all of it at once, after the call's one
/// audit record, whose output hash covers every byte sent (the end marker too).
/// </summary>
/// <param name="IncludeUsage">The client asked for a usage chunk (<c>stream_options.include_usage</c>).</param>
internal sealed record CheckedStream(bool IncludeUsage)
{
    /// <summary>The audit record's reason for a streamed answer that was checked whole before it was released.</summary>
    public const string Reason = "stream_buffered:output_checks";

    /// <summary>The answer as the stream the client asked for: its chunks framed, then the stream's end.</summary>
    public RenderedResponse Render(ModelResponse answer, IStreamFraming framing)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        foreach (var chunk in ChatCompletionChunks.From(answer, IncludeUsage))
        {
            buffer.Write(framing.Frame(chunk).Span);
        }

        buffer.Write(framing.End.Span);
        return new RenderedResponse(StatusCodes.Status200OK, framing.ContentType, buffer.WrittenMemory, framing.Headers);
    }
}

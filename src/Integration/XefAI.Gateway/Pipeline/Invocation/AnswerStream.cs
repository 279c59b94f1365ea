using System.Runtime.CompilerServices;
using XefAI.Gateway.OpenAI;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// A started response: the model answered with a stream, and its chunks (OpenAI <c>chat.completion.chunk</c> JSON, the
/// Models layer's neutral form) are pulled by the pipeline, which alone writes to the client. Nothing is retried or
/// switched once the pipeline has read from it.
/// </summary>
internal abstract class AnswerStream : IAsyncDisposable
{
    /// <summary>What the stream delivered, complete or not; set once reading ends.</summary>
    public virtual StreamedAnswer? Result { get; protected set; }

    /// <summary>What the vendor streamed, before anything the gateway put back into it (tokens restored); set once reading ends.</summary>
    public virtual StreamedAnswer? VendorResult => Result;

    /// <summary>Why the stream ended before the answer was complete; null when it completed.</summary>
    public CallError? Failure { get; protected set; }

    /// <summary>The vendor's HTTP status and destination, for the attempt record.</summary>
    public int? VendorStatus { get; init; }

    public string? Destination { get; init; }

    /// <summary>Reads the chunks in order; when the sequence ends, <see cref="Result"/> and <see cref="Failure"/> are set.</summary>
    public abstract IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>An answer computed whole (an in-process model) and sent as a stream because the client asked for one.</summary>
internal sealed class CompletedAnswerStream(ModelResponse answer, bool includeUsage) : AnswerStream
{
    public override StreamedAnswer? Result => new(answer.Content, answer.FinishReason, answer.Usage, answer.Model, ChatCompletionChunks.StreamedToolCalls(answer));

    public override async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var chunk in ChatCompletionChunks.From(answer, includeUsage))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return chunk;
        }

        await Task.CompletedTask;
    }
}

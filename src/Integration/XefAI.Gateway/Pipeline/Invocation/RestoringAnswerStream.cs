using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// A stream whose chunks get this call's protected values back in their text deltas. A token is restored when one
/// delta holds it whole; a de-identifier that splits tokens across deltas must restore them itself.
/// </summary>
internal sealed class RestoringAnswerStream(AnswerStream inner, IDataProtection protection) : AnswerStream
{
    public override async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var chunk in inner.ReadAsync(cancellationToken))
        {
            yield return Restore(chunk);
        }

        Failure = inner.Failure;
    }

    public override StreamedAnswer? Result => inner.Result is { } result ? result with { Content = protection.Restore(result.Content) } : null;

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    private ReadOnlyMemory<byte> Restore(ReadOnlyMemory<byte> chunk)
    {
        if (JsonNode.Parse(chunk.Span) is not JsonObject json || json["choices"] is not JsonArray choices)
        {
            return chunk;
        }

        var changed = false;
        foreach (var delta in choices.OfType<JsonObject>().Select(c => c["delta"]).OfType<JsonObject>())
        {
            if (delta["content"] is JsonValue content && content.TryGetValue<string>(out var text))
            {
                var restored = protection.Restore(text);
                changed |= !ReferenceEquals(restored, text);
                delta["content"] = restored;
            }
        }

        return changed ? JsonSerializer.SerializeToUtf8Bytes(json) : chunk;
    }
}

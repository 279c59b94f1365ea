using System.Text;

namespace XefAI.Models.Providers.Wire;

/// <summary>
/// The tool calls of one streamed answer, assembled from their deltas for the audit: the first delta of a call names
/// it, the next ones carry fragments of its arguments. Bounded by what the stream delivers, which the gateway limits.
/// </summary>
internal sealed class StreamedToolCalls
{
    private readonly SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)> _calls = [];

    /// <summary>Adds what one delta says of the call at <paramref name="index"/>; a value given once is kept.</summary>
    public void Add(int index, string? id, string? name, string? arguments)
    {
        if (!_calls.TryGetValue(index, out var call))
        {
            call = (id, name, new StringBuilder());
        }

        _calls[index] = (call.Id ?? id, call.Name ?? name, call.Arguments.Append(arguments));
    }

    /// <summary>The calls so far; null when there is none.</summary>
    public IReadOnlyList<StreamedToolCall>? ToList() =>
        _calls.Count == 0 ? null : [.. _calls.Select(c => new StreamedToolCall(c.Key, c.Value.Id, c.Value.Name, c.Value.Arguments.ToString()))];
}

using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <summary>A rule's small fixed word list, looked up by span in any letter case, with no chain of comparisons and no string made.</summary>
internal sealed class WordSet
{
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public WordSet(params string[] words) =>
        _lookup = words.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether <paramref name="word"/> is one of the words, ignoring case.</summary>
    public bool Contains(ReadOnlySpan<char> word) => _lookup.Contains(word);
}
